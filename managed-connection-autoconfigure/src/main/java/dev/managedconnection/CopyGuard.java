package dev.managedconnection;

import java.lang.reflect.Field;

import org.jspecify.annotations.Nullable;
import org.postgresql.copy.CopyOperation;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a COPY that a holder left open, so that the release can end it. While a COPY is in
 * progress pgjdbc locks the connection for it, and every other command (the release's rollback
 * too) waits for that lock for good. pgjdbc offers no way to ask whether a COPY is in progress;
 * its query executor keeps the lock's holder in a private field, which is read here.
 */
final class CopyGuard {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	static final String EXECUTOR_CLASS = "org.postgresql.core.v3.QueryExecutorImpl";

	static final String LOCKED_FOR_FIELD = "lockedFor";

	private static final @Nullable Field LOCKED_FOR = lockedForField();

	private CopyGuard() {
	}

	/**
	 * Return whether COPY operations can be found with this version of pgjdbc.
	 * @return whether {@link #activeCopy} can see them
	 */
	static boolean isAvailable() {
		return LOCKED_FOR != null;
	}

	/**
	 * Return the COPY in progress on the connection, if any.
	 * @param connection the driver's connection
	 * @return the operation, or {@code null} when none is in progress or it cannot be known
	 */
	static @Nullable CopyOperation activeCopy(BaseConnection connection) {
		Field lockedFor = LOCKED_FOR;
		if (lockedFor == null) {
			return null;
		}
		try {
			Object holder = lockedFor.get(connection.getQueryExecutor());
			return (holder instanceof CopyOperation copy && copy.isActive()) ? copy : null;
		}
		catch (IllegalAccessException | IllegalArgumentException ex) {
			return null;
		}
	}

	private static @Nullable Field lockedForField() {
		try {
			Field field = Class.forName(EXECUTOR_CLASS, false, CopyGuard.class.getClassLoader())
				.getDeclaredField(LOCKED_FOR_FIELD);
			field.setAccessible(true);
			return field;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Cannot see COPY operations in this version of pgjdbc; a scope that reached the driver's "
					+ "connection will have its physical connection closed instead", ex);
			return null;
		}
	}

}
