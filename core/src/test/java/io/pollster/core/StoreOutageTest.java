package io.pollster.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisException;
import java.net.SocketException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.RedisSystemException;
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
    void aRedisConnectionResetUnderACommandIsARedisOutage() {
        // seen when redis-server is SIGKILLed while a vote's script is in flight
        RedisSystemException reset = new RedisSystemException(
                "Redis exception", new RedisException(new SocketException("Connection reset")));

        assertThat(StoreOutage.of(reset)).contains(StoreOutage.Store.REDIS);
    }

    @Test
    void anOrdinaryRedisFailureIsNoOutage() {
        RedisSystemException script =
                new RedisSystemException("Redis exception", new RedisException("ERR user_script:12: bad argument"));

        assertThat(StoreOutage.of(script)).isEmpty();
    }

    @Test
    void aFailedRollbackOfAnOrdinaryFailureIsNoOutage() {
        TransactionSystemException rollback =
                new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        rollback.initApplicationException(new IllegalStateException("a bug"));

        assertThat(StoreOutage.of(rollback)).isEmpty();
    }
}
