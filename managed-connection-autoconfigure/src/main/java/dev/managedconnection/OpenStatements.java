package dev.managedconnection;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements a scope opened and has not closed, so that the release can close them.
 * Created with the scope's first statement.
 */
final class OpenStatements {

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnection.class);

	private final List<Statement> statements = new ArrayList<>(4);

	void add(Statement statement) {
		this.statements.add(statement);
	}

	/**
	 * Forget a statement the holder closed.
	 * @param statement the driver's statement
	 */
	void remove(Statement statement) {
		for (int i = this.statements.size() - 1; i >= 0; i--) {
			if (this.statements.get(i) == statement) {
				this.statements.remove(i);
				return;
			}
		}
	}

	/**
	 * Close the statements left open. One that cannot be closed is no reason to fail the
	 * scope: the driver forgets it with the connection.
	 * @param owner the managed connection, named in the log
	 * @param failure where to attach close failures, or {@code null} to log them at DEBUG
	 */
	void closeAll(Object owner, @Nullable Throwable failure) {
		for (Statement statement : this.statements) {
			try {
				statement.close();
			}
			catch (SQLException ex) {
				if (failure != null) {
					failure.addSuppressed(ex);
				}
				else {
					logger.debug("Could not close a statement left open on {}", owner, ex);
				}
			}
		}
		this.statements.clear();
	}

}
