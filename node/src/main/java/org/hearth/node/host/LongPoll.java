package org.hearth.node.host;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hearth.node.host.HostStore.Page;
import org.hearth.node.host.HostStore.Query;

/**
 * One held fetch. It watches its tags, then queries; an empty answer leaves it watching until a commit under
 * one of its tags signals it (then it watches and queries again) or its deadline passes (then it answers with
 * whatever one last query finds, normally nothing). Watching before querying is what makes it race-free: a
 * commit either precedes the query (which sees it) or signals the watcher. Holds no thread while waiting.
 */
final class LongPoll implements Waiters.Waiter {
    /** Reads a page; blocking, so it runs on the executor. May throw if the store fails. */
    @FunctionalInterface
    interface PageReader {
        Page read(Query query);
    }

    private final Query query;
    private final Waiters waiters;
    private final PageReader reader;
    private final Executor executor;
    private final Runnable onFinish;
    private final CompletableFuture<Page> result = new CompletableFuture<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> deadline;

    LongPoll(Query query, Waiters waiters, PageReader reader, Executor executor, Runnable onFinish) {
        this.query = query;
        this.waiters = waiters;
        this.reader = reader;
        this.executor = executor;
        this.onFinish = onFinish;
    }

    /** The page this poll answers with; completes exactly once, exceptionally only if the store failed. */
    CompletableFuture<Page> result() {
        return result;
    }

    void start(ScheduledExecutorService scheduler, long waitMillis) {
        deadline = scheduler.schedule(() -> executor.execute(this::expire), waitMillis, TimeUnit.MILLISECONDS);
        watchAndCheck();
    }

    @Override
    public void signalled() {
        watchAndCheck();
    }

    /** Answers now with an empty page (the host is closing). */
    void cancel() {
        finish(Page.EMPTY, null);
    }

    private void watchAndCheck() {
        if (done.get()) {
            return;
        }
        waiters.watch(query.tags(), this);
        if (done.get()) {
            // finish() ran in between and may have unwatched before we watched: do not leave a stale entry.
            waiters.unwatch(query.tags(), this);
            return;
        }
        executor.execute(this::check);
    }

    private void check() {
        if (done.get()) {
            return;
        }
        try {
            Page page = reader.read(query);
            if (!page.isEmpty()) {
                finish(page, null);
            }
        } catch (RuntimeException e) {
            finish(null, e);
        }
    }

    private void expire() {
        if (done.get()) {
            return;
        }
        try {
            finish(reader.read(query), null);
        } catch (RuntimeException e) {
            finish(null, e);
        }
    }

    private void finish(Page page, RuntimeException failure) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        waiters.unwatch(query.tags(), this);
        onFinish.run();
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(page);
        }
    }
}
