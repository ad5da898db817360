package org.hearth.node.chat;

import com.google.protobuf.ByteString;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.Hello;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Changes;
import org.hearth.node.UserError;
import org.hearth.node.contacts.Contact;
import org.hearth.node.contacts.ContactKind;
import org.hearth.node.contacts.ContactRepository;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.peer.Deliveries;
import org.hearth.node.peer.PeerDirectory;
import org.hearth.node.peer.PeerHandler;
import org.hearth.node.peer.PeerManager;
import org.hearth.node.store.Database;
import org.hearth.node.store.Tx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contacts and 1:1 chat. Every item for a peer goes through the durable {@link Outbox}; a received item is
 * committed before it is acknowledged, and deduplicated by id, so delivery is exactly-once across crashes.
 */
public final class Messenger implements PeerHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Messenger.class);

    private final Address self;
    private final String selfName;
    private final Database db;
    private final Clock clock;
    private final RandomSource random;
    private final Changes changes;
    private volatile HostPort advertised;
    private volatile PeerManager peers;
    private final Deliveries deliveries;
    private final PeerDirectory directory;
    /** The latest endpoint each peer announced in its Hello, for peers that are not contacts (yet). */
    private final Map<Address, HostPort> announced = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Address, HostPort> eldest) {
                    return size() > MAX_ANNOUNCED; // strangers' Hellos cost nothing to send: keep a bounded few
                }
            });
    private static final int MAX_ANNOUNCED = 10_000;

    public Messenger(Address self, String selfName, Database db, Clock clock, RandomSource random, Changes changes,
            Deliveries deliveries, PeerDirectory directory) {
        this.directory = directory;
        this.changes = changes;
        this.deliveries = deliveries;
        this.self = self;
        this.selfName = selfName;
        this.db = db;
        this.clock = clock;
        this.random = random;
    }

    /** Wired after construction because the peer manager needs this handler too. */
    public void attach(PeerManager peerManager, HostPort advertisedEndpoint) {
        this.peers = peerManager;
        this.advertised = advertisedEndpoint;
    }

    /** Where a peer can be dialled: its contact entry, else what it announced or was given, else its Hello. */
    public Optional<HostPort> hintOf(Address peer) {
        return db.read(tx -> ContactRepository.find(tx.connection(), peer)).flatMap(Contact::endpointHint)
                .or(() -> directory.hint(peer))
                .or(() -> Optional.ofNullable(announced.get(peer)));
    }

    // ---- user actions ----

    public Contact addContact(Endpoint endpoint) {
        if (endpoint.address().equals(self)) {
            throw new UserError(UserError.Kind.INVALID, "that is this node's own address");
        }
        HostPort hint = new HostPort(endpoint.host(), endpoint.port());
        Contact result = write(tx -> {
            Connection c = tx.connection();
            Optional<Contact> existing = ContactRepository.find(c, endpoint.address());
            if (existing.isPresent() && existing.get().status() == ContactStatus.ACCEPTED) {
                throw new UserError(UserError.Kind.CONFLICT, "already a contact");
            }
            if (existing.isPresent() && existing.get().status() == ContactStatus.INCOMING) {
                return acceptIn(c, existing.get(), Optional.of(hint));
            }
            Contact contact = new Contact(endpoint.address(), existing.map(Contact::name).orElse(""),
                    ContactKind.PERSON, ContactStatus.REQUESTED, Optional.of(hint), clock.instant());
            ContactRepository.upsert(c, contact);
            MessageId id = MessageId.random(random);
            enqueue(c, contact.address(), id, message().setContactRequest(ContactRequest.newBuilder()
                    .setId(WireCodec.bytes(id.bytes())).setName(selfName).setEndpointHint(hintText())));
            return contact;
        });
        kick(result.address());
        return result;
    }

    public Contact acceptContact(Address address) {
        Contact result = write(tx -> {
            Contact contact = ContactRepository.find(tx.connection(), address)
                    .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "no contact request from that address"));
            return switch (contact.status()) {
                case INCOMING -> acceptIn(tx.connection(), contact, Optional.empty());
                case ACCEPTED -> throw new UserError(UserError.Kind.CONFLICT, "already a contact");
                case REQUESTED -> throw new UserError(UserError.Kind.CONFLICT,
                        "you sent this request; the other side accepts it");
            };
        });
        kick(address);
        return result;
    }

    private Contact acceptIn(Connection c, Contact contact, Optional<HostPort> hint) throws SQLException {
        Contact accepted = new Contact(contact.address(), contact.name(), contact.kind(), ContactStatus.ACCEPTED,
                hint.or(contact::endpointHint), contact.createdAt());
        ContactRepository.upsert(c, accepted);
        sendAccept(c, contact.address());
        return accepted;
    }

    private void sendAccept(Connection c, Address peer) throws SQLException {
        MessageId id = MessageId.random(random);
        enqueue(c, peer, id, message().setContactAccept(ContactAccept.newBuilder()
                .setId(WireCodec.bytes(id.bytes())).setName(selfName).setEndpointHint(hintText())));
    }

    public List<Contact> contacts(boolean all) {
        return db.read(tx -> ContactRepository.all(tx.connection())).stream()
                .filter(contact -> all || !contact.kind().hiddenByDefault())
                .toList();
    }

    /** Commits the message locally and returns; delivery follows whenever the peer is reachable. */
    public ChatMessage send(Address to, String text) {
        ChatOverlay overlay;
        try {
            overlay = ChatOverlay.text(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
        MessageId id = MessageId.random(random);
        Instant now = clock.instant();
        write(tx -> {
            Connection c = tx.connection();
            Contact contact = ContactRepository.find(c, to)
                    .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "not a contact: add it first"));
            if (contact.status() != ContactStatus.ACCEPTED) {
                throw new UserError(UserError.Kind.CONFLICT, "the contact request has not been accepted yet");
            }
            MessageRepository.insertIfAbsent(c, id, to, true, text, now, now);
            enqueue(c, to, id, message().setChat(org.hearth.core.wire.proto.ChatMessage.newBuilder()
                    .setId(WireCodec.bytes(id.bytes())).setSentAtMs(now.toEpochMilli())
                    .setOverlay(ByteString.copyFrom(overlay.encode()))));
            return null;
        });
        kick(to);
        return new ChatMessage(id, to, self, true, text, now, false);
    }

    public List<ChatMessage> conversation(Address with) {
        return db.read(tx -> {
            if (ContactRepository.find(tx.connection(), with).isEmpty()) {
                throw new UserError(UserError.Kind.NOT_FOUND, "not a contact");
            }
            return MessageRepository.conversation(tx.connection(), with, self);
        });
    }

    /** Dials every contact once (at start-up), and keeps dialling those with undelivered items. */
    public void connectAll() {
        for (Contact c : contacts(true)) {
            if (c.status() != ContactStatus.INCOMING) { // an unanswered request is not a reason to dial a stranger
                peers.connect(c.address());
            }
        }
    }


    // ---- peer events ----

    @Override
    public void onConnected(Address peer) {
        peers.send(peer, message().setHello(Hello.newBuilder().setEndpointHint(hintText())).build());
        deliveries.onConnected(peer);
    }

    @Override
    public void onDisconnected(Address peer) {
        deliveries.onDisconnected(peer);
    }

    @Override
    public void onMessage(Address peer, PeerMessage m) {
        switch (m.getBodyCase()) {
            case HELLO -> updateHint(peer, m.getHello().getEndpointHint());
            case CONTACT_REQUEST -> onContactRequest(peer, m.getContactRequest());
            case CONTACT_ACCEPT -> onContactAccept(peer, m.getContactAccept());
            case CHAT -> onChat(peer, m.getChat());
            case ACK -> onAck(peer, m.getAck());
            case BODY_NOT_SET -> { } // the codec refuses this already
        }
    }

    private void onContactRequest(Address peer, ContactRequest r) {
        Optional<HostPort> hint = parseHint(r.getEndpointHint());
        boolean reply = write(tx -> {
            Connection c = tx.connection();
            Optional<Contact> existing = ContactRepository.find(c, peer);
            if (existing.isEmpty()) {
                ContactRepository.upsert(c, new Contact(peer, r.getName(), ContactKind.PERSON, ContactStatus.INCOMING,
                        hint, clock.instant()));
                tx.afterCommit(() -> LOG.debug("contact request received"));
                return false;
            }
            Contact e = existing.get();
            if (e.status() == ContactStatus.INCOMING) {
                return false;
            }
            // We asked them too, or they lost our acceptance: (re)accept, so both sides end up ACCEPTED.
            ContactRepository.upsert(c, new Contact(peer, r.getName(), e.kind(), ContactStatus.ACCEPTED,
                    hint.or(e::endpointHint), e.createdAt()));
            sendAccept(c, peer);
            return true;
        });
        ack(peer, r.getId());
        if (reply) {
            kick(peer);
        }
    }

    private void onContactAccept(Address peer, ContactAccept a) {
        Optional<HostPort> hint = parseHint(a.getEndpointHint());
        write(tx -> {
            Connection c = tx.connection();
            Optional<Contact> existing = ContactRepository.find(c, peer);
            if (existing.isPresent() && existing.get().status() != ContactStatus.INCOMING) {
                Contact e = existing.get();
                ContactRepository.upsert(c, new Contact(peer, a.getName(), e.kind(), ContactStatus.ACCEPTED,
                        hint.or(e::endpointHint), e.createdAt()));
            }
            return null;
        });
        ack(peer, a.getId());
    }

    private void onChat(Address peer, org.hearth.core.wire.proto.ChatMessage m) {
        ChatOverlay overlay;
        MessageId id;
        try {
            overlay = ChatOverlay.parse(m.getOverlay().toByteArray());
            id = WireCodec.id(m.getId());
        } catch (MalformedMessageException e) {
            return; // the codec validated both already
        }
        String text = overlay.overlay() == ChatOverlay.TEXT ? overlay.data()
                : "[unsupported message type " + overlay.overlay() + "]";
        boolean accepted = write(tx -> {
            Connection c = tx.connection();
            Optional<Contact> contact = ContactRepository.find(c, peer);
            if (contact.isEmpty() || contact.get().status() != ContactStatus.ACCEPTED) {
                return false; // not acknowledged: the sender keeps it until we accept the contact
            }
            MessageRepository.insertIfAbsent(c, id, peer, false, text, Instant.ofEpochMilli(m.getSentAtMs()),
                    clock.instant());
            return true;
        });
        if (accepted) {
            ack(peer, m.getId());
        }
    }

    private void onAck(Address peer, Ack a) {
        MessageId id;
        try {
            id = WireCodec.id(a.getId());
        } catch (MalformedMessageException e) {
            return;
        }
        // group commit: a manager's epoch brings an ack from every member at once, and one fsync each would
        // serialise them. Losing a queued ack in a crash only means the item is sent again, and receivers
        // deduplicate by id.
        db.writeAsync(tx -> {
            if (Outbox.acknowledge(tx.connection(), peer, id)) {
                MessageRepository.markDelivered(tx.connection(), id);
                tx.afterCommit(changes::bump);
            }
            return null;
        }).exceptionally(e -> {
            LOG.debug("an acknowledgement was not recorded: {}", e.toString());
            return null;
        });
    }

    private void ack(Address peer, ByteString id) {
        deliveries.sendNow(peer, message().setAck(Ack.newBuilder().setId(id)).build());
    }

    private void updateHint(Address peer, String hintText) {
        parseHint(hintText).ifPresent(hint -> {
            announced.put(peer, hint);
            if (directory.hint(peer).isPresent()) {
                directory.remember(peer, hint); // only peers we already dial are persisted
            }
        });
        parseHint(hintText).ifPresent(hint -> write(tx -> {
            ContactRepository.updateHint(tx.connection(), peer, hint);
            return null;
        }));
    }

    /** A write whose commit users can see: bumps {@link Changes} after it commits. */
    private <T> T write(Tx<T> work) {
        return db.write(tx -> {
            tx.afterCommit(changes::bump);
            return work.run(tx);
        });
    }

    private void enqueue(Connection c, Address peer, MessageId id, PeerMessage.Builder m) throws SQLException {
        deliveries.enqueue(c, peer, id, m.build());
    }

    private void kick(Address peer) {
        deliveries.kick(peer);
    }

    private String hintText() {
        HostPort h = advertised;
        return h == null ? "" : h.toString();
    }

    private static Optional<HostPort> parseHint(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            HostPort hp = HostPort.parse(text);
            return hp.port() == 0 ? Optional.empty() : Optional.of(hp);
        } catch (InvalidAddressException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }
}
