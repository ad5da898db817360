package org.hearth.node.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hearth.core.bytes.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A transaction handed to one lambda; unusable once the lambda has returned. */
final class TransactionImpl implements Transaction {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionImpl.class);

    private final Connection connection;
    private final List<Runnable> afterCommit = new ArrayList<>();
    private boolean finished;

    TransactionImpl(Connection connection) {
        this.connection = connection;
    }

    @Override
    public Connection connection() {
        checkActive();
        return connection;
    }

    @Override
    public void afterCommit(Runnable action) {
        checkActive();
        afterCommit.add(Objects.requireNonNull(action));
    }

    @Override
    public int update(String sql, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(sql, args)) {
            return s.executeUpdate();
        }
    }

    @Override
    public <R> List<R> query(String sql, RowMapper<R> mapper, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(sql, args); ResultSet rows = s.executeQuery()) {
            List<R> out = new ArrayList<>();
            while (rows.next()) {
                out.add(mapper.map(rows));
            }
            return out;
        }
    }

    /** Ends the lambda's access; the owner commits or rolls back. */
    void finish() {
        finished = true;
    }

    /**
     * Runs the after-commit actions in order. The data is committed whatever they do, so a failing action
     * is logged and the rest still run.
     */
    void runAfterCommit() {
        for (Runnable action : afterCommit) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.warn("after-commit action failed", e);
            }
        }
        afterCommit.clear();
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement s = connection().prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                bind(s, i + 1, args[i]);
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement s, int index, Object arg) throws SQLException {
        switch (arg) {
            case null -> s.setNull(index, java.sql.Types.NULL);
            case Bytes b -> s.setBytes(index, b.toByteArray());
            case byte[] b -> s.setBytes(index, b);
            case Boolean b -> s.setInt(index, b ? 1 : 0);
            case String str -> s.setString(index, str);
            case Long l -> s.setLong(index, l);
            case Integer n -> s.setInt(index, n);
            default -> throw new IllegalArgumentException("cannot bind " + arg.getClass().getSimpleName());
        }
    }

    private void checkActive() {
        if (finished) {
            throw new IllegalStateException("transaction already ended: use it only inside its lambda");
        }
    }
}
