package org.hearth.node.store;

import java.sql.SQLException;

/** A unit of work run inside one transaction; throwing rolls it back. */
@FunctionalInterface
public interface Tx<T> {
    T run(Transaction tx) throws SQLException;
}
