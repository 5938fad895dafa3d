package io.pollster.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Counts the SQL statements prepared through a {@link DataSource} that match a predicate: how a test
 * shows how many PostgreSQL queries something cost, on the real database, without timing it. Wrap the
 * application's data source with {@link #wrap}; everything else passes straight through.
 */
public final class QueryCounter {

    private final Predicate<String> counted;
    private final AtomicLong count = new AtomicLong();

    /** Counts statements whose SQL {@code counted} accepts. */
    public QueryCounter(Predicate<String> counted) {
        this.counted = counted;
    }

    /** Statements counted so far. */
    public long count() {
        return count.get();
    }

    /** {@code dataSource}, counting the statements prepared on its connections. */
    public DataSource wrap(DataSource dataSource) {
        return proxy(DataSource.class, dataSource, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return result instanceof Connection connection ? connection(connection) : result;
        });
    }

    private Connection connection(Connection connection) {
        return proxy(Connection.class, connection, (target, method, args) -> {
            if ((method.getName().equals("prepareStatement") || method.getName().equals("prepareCall"))
                    && args != null
                    && args[0] instanceof String sql
                    && counted.test(sql)) {
                count.incrementAndGet();
            }
            return method.invoke(target, args);
        });
    }

    @FunctionalInterface
    private interface Call {
        Object invoke(Object target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                return call.invoke(target, method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
