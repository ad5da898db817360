package org.hearth.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.HostPort;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.group.GroupRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `group create --manager`: a contact's node creates and runs a group for the requester. */
class RequestGroupTest {
    private static final char[] PW = "pw".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<Node> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    private Node start(String name) throws Exception {
        Path home = dir.resolve(name);
        NodeHome.init(home, PW, name, RandomSource.secure(), PassphraseKdf.FAST);
        Node n = Node.start(NodeConfig.of(home, PW, new HostPort("127.0.0.1", 0)));
        nodes.add(n);
        return n;
    }

    private static void await(Node n, java.util.function.BooleanSupplier c) throws InterruptedException {
        assertThat(n.changes().awaitCondition(c, WAIT)).isTrue();
    }

    @Test
    void requestGroup_contactManager_createsGroupAndRequesterJoinsAsWriter() throws Exception {
        Node bot = start("bot");
        Node alice = start("alice");
        alice.messenger().addContact(bot.endpoint());
        await(bot, () -> bot.messenger().contacts(true).stream().anyMatch(c -> c.status() == ContactStatus.INCOMING));
        bot.messenger().acceptContact(alice.address());
        await(alice, () -> alice.messenger().contacts(true).stream().anyMatch(c -> c.status() == ContactStatus.ACCEPTED));

        GroupId id = alice.groups().requestGroup("asked-for", bot.address(), Optional.empty());

        await(alice, () -> alice.groups().group(id).status() == GroupRecord.Status.JOINED
                && !alice.groups().heldKeyEpochs(id).isEmpty());
        GroupRecord atBot = bot.groups().group(id);
        assertThat(atBot.role()).isEqualTo(GroupRecord.Role.MANAGER);
        assertThat(atBot.head().orElseThrow().state().members()).containsEntry(alice.address(), Permission.WRITE);
        assertThat(atBot.head().orElseThrow().state().hosts()).containsExactly(bot.endpoint());
        assertThat(alice.groups().send(id, "my group, run by the bot", WAIT).name()).isEqualTo("STORED_BY_HOST");
    }

    @Test
    void requestGroup_managerNotAContact_refused() throws Exception {
        Node bot = start("bot");
        Node alice = start("alice");
        assertThatThrownBy(() -> alice.groups().requestGroup("x", bot.address(), Optional.empty()))
                .isInstanceOf(UserError.class).hasMessageContaining("accepted contact");
    }
}
