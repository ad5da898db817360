package org.hearth.node.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Brings a store up to the latest schema, one transaction per step, tracked in {@code PRAGMA user_version}. */
final class Migrator {
    private Migrator() {
    }

    /** Returns the schema version the store is at afterwards. */
    static int migrate(Connection connection, List<Migration> migrations) throws SQLException {
        checkOrdered(migrations);
        int latest = migrations.isEmpty() ? 0 : migrations.getLast().version();
        int current = userVersion(connection);
        if (current > latest) {
            throw new StoreVersionException(current, latest);
        }
        for (Migration m : migrations.subList(current, migrations.size())) {
            apply(connection, m);
        }
        return latest;
    }

    static int userVersion(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("PRAGMA user_version")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void apply(Connection connection, Migration m) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
                // Part of the same transaction: the version moves if and only if the step's changes commit.
                s.execute("PRAGMA user_version = " + m.version());
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw new StoreException("migration to schema version " + m.version() + " failed", e);
            }
        }
    }

    private static void checkOrdered(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations must be numbered 1, 2, 3, … without gaps");
            }
        }
    }
}
