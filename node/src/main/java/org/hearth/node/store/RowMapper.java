package org.hearth.node.store;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Maps the current row of a result set to a value. */
@FunctionalInterface
public interface RowMapper<R> {
    R map(ResultSet row) throws SQLException;
}
