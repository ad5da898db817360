package org.hearth.node.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * An open transaction, valid only inside the {@link Tx} it was given to. Do not commit, roll back or close
 * the connection yourself: the {@link Database} does that when the lambda returns or throws.
 */
public interface Transaction {
    /** The JDBC connection this transaction runs on. */
    Connection connection();

    /**
     * Runs {@code action} once this transaction has committed (for a read: ended without error), outside
     * the store's lock. Never runs if the transaction rolls back. Use it to publish events.
     */
    void afterCommit(Runnable action);

    /**
     * Executes an INSERT, UPDATE or DELETE with positional arguments and returns the number of changed rows.
     * Arguments may be {@code null}, {@link String}, {@link Long}, {@link Integer}, {@link Boolean},
     * {@code byte[]} or {@link org.hearth.core.bytes.Bytes}.
     */
    int update(String sql, Object... args) throws SQLException;

    /** Runs a query with positional arguments and maps every row. */
    <R> List<R> query(String sql, RowMapper<R> mapper, Object... args) throws SQLException;

    /** Runs a query expected to return at most one row. */
    default <R> Optional<R> queryOne(String sql, RowMapper<R> mapper, Object... args) throws SQLException {
        List<R> rows = query(sql, mapper, args);
        if (rows.size() > 1) {
            throw new SQLException("expected at most one row, got " + rows.size());
        }
        return rows.stream().findFirst();
    }
}
