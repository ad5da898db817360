package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;

/** P4 untrusted-host sync cost: tag-filtered fetch against download-everything and trial decryption. See docs/benchmarks.md. */
final class P4SyncCost implements Scenario {
    @Override
    public String key() {
        return "p4";
    }

    @Override
    public String target() {
        return ">= 10x fewer bytes and trials";
    }

    @Override
    public boolean met(Map<String, Object> r) {
        return num(r, "naive_bytes") >= 10 * num(r, "hearth_bytes") && num(r, "naive_trials") >= 10 * num(r, "hearth_trials");
    }

    @Override
    public void run(Run run) throws Exception {
        int groups = 50;
        int epochsPerGroup = 5;
        int mine = run.quick() ? 2_000 : 10_000;
        int memberGroups = 2;
        int total = mine * groups / memberGroups; // traffic spread evenly over all 50 groups
        Path dir = run.work().resolve("p4");
        Node host = startNode(dir.resolve("host"), "host", NodeConfig.Roles.HOST);
        try {
            EpochKey[][] keys = new EpochKey[groups][epochsPerGroup];
            for (int g = 0; g < groups; g++) {
                GroupId id = GroupId.random(RANDOM);
                for (int e = 0; e < epochsPerGroup; e++) {
                    keys[g][e] = new EpochKey(id, e + 1, Bytes.wrap(RANDOM.bytes(32)), EpochKey.fresh(RANDOM));
                }
            }
            Identity writer = Identity.generate(RANDOM);
            SplittableRandom sr = new SplittableRandom(7);
            // which group and epoch each envelope of the traffic belongs to, in relay order
            int[] group = new int[total];
            int[] epoch = new int[total];
            for (int i = 0; i < total; i++) {
                group[i] = i % groups;
                epoch[i] = sr.nextInt(epochsPerGroup);
            }
            for (int i = total - 1; i > 0; i--) { // shuffle the interleaving
                int j = sr.nextInt(i + 1);
                int t = group[i];
                group[i] = group[j];
                group[j] = t;
            }
            Instant base = Instant.now();
            // the member's groups: really sealed and signed; the other 48: envelopes of the same size under their
            // groups' real tags (to the member and the host, a sealed message under a key it lacks is random bytes)
            GroupEnvelope probe = GroupMessages.seal(writer, keys[0][0], base, List.of(), text(0), Optional.empty(),
                    RANDOM);
            int ctLen = probe.getCiphertext().size();
            GroupEnvelope[] all = new GroupEnvelope[total];
            IntStream.range(0, total).parallel().forEach(i -> {
                EpochKey k = keys[group[i]][epoch[i]];
                if (group[i] < memberGroups) {
                    all[i] = GroupMessages.seal(writer, k, base.plusMillis(i), List.of(), text(i), Optional.empty(),
                            RANDOM);
                } else {
                    all[i] = envelope(k.tag().toByteArray(), new SplittableRandom(i * 1_000_003L), ctLen);
                }
            });
            long r0 = System.nanoTime();
            // every envelope has the same size, so the order the host files them in changes neither side's bytes
            long refused = relayAll(host.endpoint(), Arrays.asList(all), 32, 16);
            log(String.format("p4: relayed %d envelopes for %d groups in %.1f s (%d refused)", total, groups,
                    seconds(r0), refused));

            // Hearth: tag-filtered fetches for the epochs the member holds keys of; every envelope received is opened
            Map<ByteString, EpochKey> byTag = new HashMap<>();
            List<EpochKey> held = new ArrayList<>();
            for (int g = 0; g < memberGroups; g++) {
                for (EpochKey k : keys[g]) {
                    byTag.put(WireCodec.bytes(k.tag()), k);
                    held.add(k);
                }
            }
            List<ByteString> tags = new ArrayList<>(byTag.keySet());
            long hearthBytes = 0;
            long hearthTrials = 0;
            long opened = 0;
            long pages = 0;
            try (HostClient member = new HostClient(host.endpoint(), RANDOM)) {
                long cursor = 0;
                while (true) {
                    HostClient.Fetched f = member.fetch(tags, cursor, 500);
                    FetchResponse resp = f.message().getFetchResponse();
                    if (resp.hasError()) {
                        Thread.sleep(100); // rate limited: try again
                        continue;
                    }
                    pages++;
                    hearthBytes += f.encodedBytes();
                    for (HostedEnvelope he : resp.getEnvelopesList()) {
                        hearthTrials++;
                        GroupMessages.open(he.getEnvelope(), byTag.get(he.getEnvelope().getTag()));
                        opened++;
                    }
                    cursor = resp.getNextCursor();
                    if (!resp.getMore()) {
                        break;
                    }
                }
            }
            if (opened != mine) {
                throw new IllegalStateException("member opened " + opened + " of " + mine);
            }
            // naive (legacy): every envelope since the cursor, in pages as large as the host's, and a trial
            // decryption of each with every key held until one opens
            long naiveBytes = 0;
            long naiveTrials = 0;
            long naiveTrialsOneKeyPerGroup = 0;
            int pageBudget = 56 * 1024 - 1024;
            FetchResponse.Builder page = FetchResponse.newBuilder().setRequestId(1);
            int pageBytes = 0;
            for (int i = 0; i < total; i++) {
                GroupEnvelope e = all[i];
                int size = e.getSerializedSize() + 32;
                if (page.getEnvelopesCount() == 500 || pageBytes + size > pageBudget) {
                    naiveBytes += naivePage(page, i, true);
                    page = FetchResponse.newBuilder().setRequestId(1);
                    pageBytes = 0;
                }
                page.addEnvelopes(HostedEnvelope.newBuilder().setSeq(i + 1).setEnvelope(e));
                pageBytes += size;
                // trials: keys in a fixed order, group by group, epoch by epoch
                if (group[i] < memberGroups) {
                    naiveTrials += (long) group[i] * epochsPerGroup + epoch[i] + 1;
                    naiveTrialsOneKeyPerGroup += group[i] + 1;
                } else {
                    naiveTrials += held.size();
                    naiveTrialsOneKeyPerGroup += memberGroups;
                }
            }
            naiveBytes += naivePage(page, total, false);
            run.put("groups", groups, "hearth_bytes", hearthBytes, "naive_bytes", naiveBytes, "hearth_trials",
                    hearthTrials, "naive_trials", naiveTrials);
            run.detail("member_groups", memberGroups, "epochs_per_group", epochsPerGroup, "keys_held", held.size(),
                    "new_messages_for_member", mine, "envelopes_on_host", total, "hearth_pages", pages,
                    "bytes_ratio", round3((double) naiveBytes / hearthBytes), "trials_ratio",
                    round3((double) naiveTrials / hearthTrials), "naive_trials_one_key_per_group",
                    naiveTrialsOneKeyPerGroup, "trials_ratio_one_key_per_group",
                    round3((double) naiveTrialsOneKeyPerGroup / hearthTrials));
        } finally {
            host.close();
            deleteTree(dir);
        }
    }

    private static long naivePage(FetchResponse.Builder page, long lastSeq, boolean more) {
        page.setNextCursor(lastSeq).setMore(more);
        return WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setFetchResponse(page).build())
                .length;
    }

    private static ChatOverlay text(int i) {
        return ChatOverlay.text(String.format("message %07d ", i) + "y".repeat(80));
    }
}
