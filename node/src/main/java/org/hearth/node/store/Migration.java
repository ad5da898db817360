package org.hearth.node.store;

import java.util.List;

/** One schema step: the statements that take the store from {@code version - 1} to {@code version}. */
record Migration(int version, List<String> statements) {
    Migration {
        if (version < 1 || statements.isEmpty()) {
            throw new IllegalArgumentException("a migration needs a version >= 1 and at least one statement");
        }
        statements = List.copyOf(statements);
    }
}
