package org.hearth.node.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.tor.TorTestKit.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.transport.tor.PrivateTorNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A managed group whose host, manager bot and members are all onion services on a private Tor network. */
class TorGroupTest {
    /** No scheduled rotation and no minimum interval: every change is a new epoch at once. */
    private static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO,
            KeyCatchup.SINCE_JOIN, Duration.ofDays(7));

    @TempDir
    static Path networkDir;
    private static PrivateTorNetwork network;

    @TempDir
    Path dir;
    private TorTestKit kit;

    @BeforeAll
    static void startNetwork() throws Exception {
        network = TorTestKit.startNetwork(networkDir);
    }

    @AfterAll
    static void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    @AfterEach
    void stopNodes() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void managedGroup_overOnionServices_inviteMessageRotateAndReadInNewEpoch() throws Exception {
        kit = new TorTestKit(network, dir);
        Map<String, NodeConfig.Roles> roles = new LinkedHashMap<>();
        roles.put("host", NodeConfig.Roles.HOST);
        roles.put("bot", NodeConfig.Roles.MEMBER);
        roles.put("alice", NodeConfig.Roles.MEMBER);
        roles.put("bob", NodeConfig.Roles.MEMBER);
        kit.start(roles);
        for (String n : roles.keySet()) {
            kit.assertOnionIsAddress(n);
        }
        Node host = kit.node("host");
        Node bot = kit.node("bot");
        List<String> members = List.of("alice", "bob");

        GroupId g = bot.groups().create("over-tor", List.of(host.endpoint()), false, IMMEDIATE);
        for (String m : members) {
            bot.groups().add(g, kit.node(m).endpoint(), Permission.WRITE);
        }
        for (String m : members) {
            Node n = kit.node(m);
            await(n, () -> n.groups().invites().stream().anyMatch(i -> i.id().equals(g)), m + " gets the invite");
            n.groups().accept(g);
        }
        long joined = bot.groups().group(g).epoch();
        for (String m : members) {
            await(kit.node(m), () -> joinedWithKey(kit.node(m), g, joined), m + " joins with the key");
        }

        kit.node("alice").groups().send(g, "hello group, over tor", TorTestKit.WAIT);
        await(kit.node("bob"), () -> hasText(kit.node("bob"), g, "hello group, over tor"), "bob reads alice");

        bot.groups().rotate(g);
        long rotated = bot.groups().group(g).epoch();
        assertThat(rotated).isGreaterThan(joined);
        for (String m : members) {
            await(kit.node(m), () -> joinedWithKey(kit.node(m), g, rotated), m + " gets the rotated key");
        }
        kit.node("bob").groups().send(g, "a new epoch, still over tor", TorTestKit.WAIT);
        for (String m : members) {
            await(kit.node(m), () -> hasText(kit.node(m), g, "a new epoch, still over tor"), m + " reads epoch "
                    + rotated);
        }
        for (String m : members) {
            assertThat(kit.node(m).groups().messages(g)).filteredOn(msg -> msg.text().startsWith("a new epoch"))
                    .singleElement().satisfies(msg -> assertThat(msg.epoch()).isEqualTo(rotated));
        }

        TorTestKit.assertLoopbackOnly();
    }

    private static boolean joinedWithKey(Node n, GroupId g, long epoch) {
        return n.groups().groups().stream().anyMatch(r -> r.id().equals(g) && r.status() == GroupRecord.Status.JOINED
                && r.epoch() >= epoch) && n.groups().heldKeyEpochs(g).contains(epoch);
    }

    private static boolean hasText(Node n, GroupId g, String text) {
        return n.groups().messages(g).stream().anyMatch(m -> m.text().equals(text));
    }
}
