package org.hearth.node.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues writes from many threads and hands them, in arrival order and in batches, to one commit thread,
 * so that a burst of acknowledged writes costs one transaction and one fsync instead of one each.
 */
final class GroupCommitter implements AutoCloseable {
    static final int MAX_BATCH = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Commits a batch, or throws if none of it committed. Completes the futures of a committed batch. */
    @FunctionalInterface
    interface BatchWriter {
        void commitBatch(List<Pending<?>> batch) throws Exception;
    }

    private final Pending<Void> stop = new Pending<>(tx -> null);
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Object submitLock = new Object();
    private final AtomicLong batches = new AtomicLong();
    private final BatchWriter writer;
    private final Thread thread;
    private boolean closed; // guarded by submitLock

    GroupCommitter(BatchWriter writer) {
        this.writer = writer;
        // A platform thread: it spends its time in JNI calls, which would pin a virtual thread's carrier.
        this.thread = Thread.ofPlatform().name("hearth-store-commit").daemon().start(this::loop);
    }

    <T> CompletableFuture<T> submit(Tx<T> work) {
        Pending<T> pending = new Pending<>(work);
        synchronized (submitLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreException("database is closed"));
            }
            queue.add(pending);
        }
        return pending.future;
    }

    /** Number of batches handed to the writer so far. */
    long batchCount() {
        return batches.get();
    }

    /** Stops taking work, lets the commit thread finish what is queued, and waits for it. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(stop);
        }
        if (Thread.currentThread() != thread) {
            joinUninterruptibly();
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; close() stops it through the queue
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            stopping = batch.remove(stop);
            if (!batch.isEmpty()) {
                commit(batch);
            }
            batch.clear();
        }
    }

    private void commit(List<Pending<?>> batch) {
        batches.incrementAndGet();
        try {
            writer.commitBatch(batch);
        } catch (Throwable t) {
            // Keep the thread alive whatever happened, or every later future would hang.
            StoreException failure = t instanceof StoreException s ? s : new StoreException("group commit failed", t);
            if (!(t instanceof StoreException)) {
                LOG.error("group commit failed", t);
            }
            batch.forEach(p -> p.abort(failure));
        }
    }

    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A queued write and what became of it. Touched only by the commit thread until its future completes. */
    static final class Pending<T> {
        private final Tx<T> work;
        private final CompletableFuture<T> future = new CompletableFuture<>();
        private TransactionImpl tx;
        private T result;
        private RuntimeException failure;

        Pending(Tx<T> work) {
            this.work = work;
        }

        void run(Connection connection) throws SQLException {
            tx = new TransactionImpl(connection);
            try {
                result = work.run(tx);
            } finally {
                tx.finish();
            }
        }

        /** This item's own changes were rolled back; the rest of the batch goes on. */
        void failed(RuntimeException e) {
            failure = e;
        }

        /** The batch committed: fire this item's after-commit actions, then its future. */
        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                tx.runAfterCommit();
                future.complete(result);
            }
        }

        /** The batch did not commit. */
        void abort(StoreException batchFailure) {
            future.completeExceptionally(failure != null ? failure : batchFailure);
        }
    }
}
