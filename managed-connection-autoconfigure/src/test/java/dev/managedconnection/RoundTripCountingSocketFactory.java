package dev.managedconnection;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.SocketFactory;

/**
 * A pgjdbc {@code socketFactory} that counts the round trips a connection makes, by reading the
 * PostgreSQL frontend protocol the driver writes. A round trip is a flush of the driver's output
 * that carries at least one message the server answers with {@code ReadyForQuery}: a
 * {@code Sync} (extended protocol) or a simple {@code Query}; the driver then waits for the
 * answer. Counting flushes rather than messages matters: with autocommit off pgjdbc pipelines its
 * {@code BEGIN} as a simple query in the same flush as the statement. Whatever caused the round
 * trip ({@code isValid}'s empty query, a statement, {@code COMMIT}) is counted; nothing is
 * changed on the way to the server.
 * <p>
 * pgjdbc instantiates the factory itself (hence public), passing the connection properties; the
 * {@value #COUNTER_PROPERTY} property names the {@link RoundTrips} counter to add to.
 */
public final class RoundTripCountingSocketFactory extends SocketFactory {

	static final String COUNTER_PROPERTY = "roundTripCounter";

	private static final Map<String, RoundTrips> counters = new ConcurrentHashMap<>();

	private final RoundTrips roundTrips;

	/**
	 * Called by pgjdbc with the connection's properties.
	 * @param properties the connection properties, naming the counter
	 */
	public RoundTripCountingSocketFactory(Properties properties) {
		String name = properties.getProperty(COUNTER_PROPERTY);
		RoundTrips counter = (name != null) ? counters.get(name) : null;
		if (counter == null) {
			throw new IllegalArgumentException("No round-trip counter named '" + name + "'");
		}
		this.roundTrips = counter;
	}

	/**
	 * Create a counter and the connection properties that make pgjdbc count into it.
	 * @return the counter
	 */
	static RoundTrips newCounter() {
		RoundTrips counter = new RoundTrips(UUID.randomUUID().toString());
		counters.put(counter.name, counter);
		return counter;
	}

	@Override
	public Socket createSocket() {
		return new CountingSocket(this.roundTrips);
	}

	@Override
	public Socket createSocket(String host, int port) {
		throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
		throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
	}

	@Override
	public Socket createSocket(InetAddress host, int port) {
		throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
		throw new UnsupportedOperationException("pgjdbc creates unconnected sockets");
	}

	/**
	 * Counts the round trips of the connections that name it.
	 */
	static final class RoundTrips {

		private final String name;

		private final AtomicLong count = new AtomicLong();

		private RoundTrips(String name) {
			this.name = name;
		}

		/**
		 * Return the pgjdbc properties that route a connection's traffic through this counter.
		 * SSL and GSS encryption are off so that the protocol can be read.
		 * @return the properties
		 */
		Properties connectionProperties() {
			Properties properties = new Properties();
			properties.setProperty("socketFactory", RoundTripCountingSocketFactory.class.getName());
			properties.setProperty(COUNTER_PROPERTY, this.name);
			properties.setProperty("sslmode", "disable");
			properties.setProperty("gssEncMode", "disable");
			return properties;
		}

		long count() {
			return this.count.get();
		}

		void close() {
			counters.remove(this.name);
		}

	}

	/**
	 * A plain socket whose output is read as frontend messages.
	 */
	private static final class CountingSocket extends Socket {

		private final FrontendMessageReader reader;

		CountingSocket(RoundTrips roundTrips) {
			this.reader = new FrontendMessageReader(roundTrips.count);
		}

		@Override
		public OutputStream getOutputStream() throws IOException {
			return new FilterOutputStream(super.getOutputStream()) {

				@Override
				public void write(int b) throws IOException {
					CountingSocket.this.reader.read((byte) b);
					this.out.write(b);
				}

				@Override
				public void write(byte[] bytes, int offset, int length) throws IOException {
					for (int i = offset; i < offset + length; i++) {
						CountingSocket.this.reader.read(bytes[i]);
					}
					this.out.write(bytes, offset, length);
				}

				@Override
				public void flush() throws IOException {
					CountingSocket.this.reader.flushed();
					this.out.flush();
				}

			};
		}

	}

	/**
	 * Splits the bytes a client writes into messages: untyped ones (the startup message and
	 * encryption requests, length first) until the startup message, then typed ones (a type
	 * byte, then a length that counts itself).
	 */
	private static final class FrontendMessageReader {

		private static final int PROTOCOL_MAJOR_3 = 3;

		private final AtomicLong roundTrips;

		private boolean typed;

		private final byte[] header = new byte[8];

		private int headerRead;

		private long bodyLeft;

		private boolean awaitingAnswer;

		FrontendMessageReader(AtomicLong roundTrips) {
			this.roundTrips = roundTrips;
		}

		// Only the thread holding the connection writes to it, one at a time.
		void read(byte b) {
			if (this.bodyLeft > 0) {
				this.bodyLeft--;
				return;
			}
			this.header[this.headerRead++] = b;
			if (this.typed && this.headerRead == 5) {
				char type = (char) this.header[0];
				if (type == 'S' || type == 'Q') {
					this.awaitingAnswer = true;
				}
				this.bodyLeft = intAt(1) - 4L;
				this.headerRead = 0;
			}
			else if (!this.typed && this.headerRead == 8) {
				int code = intAt(4);
				this.typed = (code >>> 16) == PROTOCOL_MAJOR_3;
				this.bodyLeft = intAt(0) - 8L;
				this.headerRead = 0;
			}
		}

		void flushed() {
			if (this.awaitingAnswer) {
				this.roundTrips.incrementAndGet();
				this.awaitingAnswer = false;
			}
		}

		private int intAt(int offset) {
			return ((this.header[offset] & 0xff) << 24) | ((this.header[offset + 1] & 0xff) << 16)
					| ((this.header[offset + 2] & 0xff) << 8) | (this.header[offset + 3] & 0xff);
		}

	}

}
