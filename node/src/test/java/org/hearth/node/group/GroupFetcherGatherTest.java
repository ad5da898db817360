package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.junit.jupiter.api.Test;

/** How a catch-up gathers fetched pages into one transaction: bounded by envelopes and bytes, stored in order. */
class GroupFetcherGatherTest {

    private static long seq;

    /** A fetched page of {@code envelopes} envelopes of {@code ciphertextBytes} each, already opened. */
    private static GroupFetcher.Page page(int envelopes, int ciphertextBytes) {
        FetchResponse.Builder r = FetchResponse.newBuilder();
        for (int i = 0; i < envelopes; i++) {
            r.addEnvelopes(HostedEnvelope.newBuilder().setSeq(++seq).setEnvelope(GroupEnvelope.newBuilder()
                    .setTag(ByteString.copyFrom(new byte[16])).setNonce(ByteString.copyFrom(new byte[24]))
                    .setCiphertext(ByteString.copyFrom(new byte[ciphertextBytes]))));
        }
        return new GroupFetcher.Page(r.setNextCursor(seq).setMore(true).build(),
                CompletableFuture.completedFuture(List.of()));
    }

    private static BlockingQueue<Object> queue(Object... items) {
        BlockingQueue<Object> q = new ArrayBlockingQueue<>(GroupFetcher.PAGES_AHEAD);
        q.addAll(List.of(items));
        return q;
    }

    @Test
    void gather_pagesBeyondTheEnvelopeCap_stopsBeforeTheOneThatWouldNotFitAndCarriesIt() throws Exception {
        GroupFetcher.Page first = page(400, 10);
        GroupFetcher.Page second = page(400, 10);
        GroupFetcher.Page third = page(400, 10);
        GroupFetcher.Page fourth = page(1, 10);
        BlockingQueue<Object> ready = queue(second, third, fourth);
        List<GroupFetcher.Page> batch = new ArrayList<>(List.of(first));

        Object carried = GroupFetcher.gather(ready, batch);

        assertThat(batch).containsExactly(first, second);
        assertThat(carried).isSameAs(third);
        assertThat(ready).containsExactly(fourth);
    }

    @Test
    void gather_exactlyTheEnvelopeCap_takesItAllAndStops() throws Exception {
        GroupFetcher.Page first = page(GroupFetcher.MAX_ENVELOPES_PER_COMMIT - 100, 10);
        GroupFetcher.Page second = page(100, 10);
        GroupFetcher.Page third = page(1, 10);
        BlockingQueue<Object> ready = queue(second, third);
        List<GroupFetcher.Page> batch = new ArrayList<>(List.of(first));

        Object carried = GroupFetcher.gather(ready, batch);

        assertThat(batch).containsExactly(first, second);
        assertThat(carried).isNull();
        assertThat(ready).containsExactly(third);
    }

    @Test
    void gather_largeEnvelopes_boundedByBytes() throws Exception {
        int big = GroupFetcher.MAX_BYTES_PER_COMMIT / 3;
        GroupFetcher.Page first = page(1, big);
        GroupFetcher.Page second = page(1, big);
        GroupFetcher.Page third = page(1, big);
        BlockingQueue<Object> ready = queue(second, third);
        List<GroupFetcher.Page> batch = new ArrayList<>(List.of(first));

        Object carried = GroupFetcher.gather(ready, batch);

        assertThat(batch).containsExactly(first, second);
        assertThat(carried).isSameAs(third);
    }

    @Test
    void gather_endOfTheCatchUp_storesWhatItHasAndCarriesTheEnd() throws Exception {
        GroupFetcher.Page first = page(50, 10);
        GroupFetcher.Page second = page(50, 10);
        GroupFetcher.End end = new GroupFetcher.End(true);
        BlockingQueue<Object> ready = queue(second, end);
        List<GroupFetcher.Page> batch = new ArrayList<>(List.of(first));

        Object carried = GroupFetcher.gather(ready, batch);

        assertThat(batch).containsExactly(first, second);
        assertThat(carried).isSameAs(end);
    }

    @Test
    void gather_nothingArrivesInTime_storesWhatItHas() throws Exception {
        GroupFetcher.Page first = page(50, 10);
        List<GroupFetcher.Page> batch = new ArrayList<>(List.of(first));

        Object carried = GroupFetcher.gather(queue(), batch);

        assertThat(batch).containsExactly(first);
        assertThat(carried).isNull();
    }
}
