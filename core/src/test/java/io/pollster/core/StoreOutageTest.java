package io.pollster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionSystemException;

class StoreOutageTest {

    @Test
    void aRollbackThatFailedOnADeadConnectionIsStillAPostgresOutage() {
        // seen when the postmaster is SIGKILLed mid-transaction: the INSERT fails with an I/O error, then
        // the rollback fails too, and the rollback's exception is what reaches the handler
        TransactionSystemException rollback =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        rollback.initApplicationException(new DataAccessResourceFailureException(
                "PreparedStatementCallback", new SQLException("An I/O error occurred", "08006")));

        assertThat(StoreOutage.of(rollback)).contains(StoreOutage.Store.POSTGRESQL);
    }

    @Test
    void aFailedRollbackOfAnOrdinaryFailureIsNoOutage() {
        TransactionSystemException rollback =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        rollback.initApplicationException(new IllegalStateException("a bug"));

        assertThat(StoreOutage.of(rollback)).isEmpty();
    }
}
