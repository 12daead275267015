package dev.managedconnection.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * A small TCP proxy on 127.0.0.1 in front of a PostgreSQL port, for fault tests: it passes bytes
 * through, stalls them, holds the server's replies, or resets every connection, and the
 * {@link Mode} can be switched at any time.
 * <p>
 * Each proxied connection uses two platform threads; at most {@value #MAX_CONNECTIONS}
 * connections are open at once (more are refused with a reset). {@link #close()} resets every
 * connection and waits a bounded time for the threads to end.
 */
public final class LoopbackProxy implements AutoCloseable {

	/**
	 * How the proxy treats traffic.
	 */
	public enum Mode {

		/**
		 * Bytes flow both ways; held bytes are delivered.
		 */
		PASS,

		/**
		 * A silent network: new connections are accepted and read but never connected to the
		 * server nor answered (they stay silent even after the mode changes); on existing
		 * connections no byte flows either way until the mode changes (as TCP would retransmit
		 * them after a partition heals).
		 */
		BLACKHOLE,

		/**
		 * Client bytes reach the server, but the server's replies are held until the mode
		 * changes: the request is executed, its answer is lost to the client.
		 */
		HOLD_RESPONSES,

		/**
		 * Every open connection is reset (TCP RST to both sides) and new connections are reset
		 * as soon as they are accepted.
		 */
		RESET

	}

	static final int MAX_CONNECTIONS = 64;

	private static final int BUFFER_SIZE = 8192;

	private static final long CLOSE_WAIT_MILLIS = 5_000;

	private final InetSocketAddress target;

	private final ServerSocket listener;

	private final Thread acceptor;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition modeChanged = this.lock.newCondition();

	private final AtomicInteger accepted = new AtomicInteger();

	private volatile Mode mode = Mode.PASS;

	private volatile boolean holdingNewConnections;

	private volatile boolean closed;

	private LoopbackProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::acceptLoop, "loopback-proxy-accept-" + this.listener.getLocalPort());
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	/**
	 * Start a proxy in {@link Mode#PASS} on a free loopback port in front of the given server.
	 * @param host the server host (a loopback address in this project's tests)
	 * @param port the server port
	 * @return the running proxy; close it when done
	 */
	public static LoopbackProxy start(String host, int port) {
		try {
			return new LoopbackProxy(new InetSocketAddress(host, port));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start a loopback proxy", ex);
		}
	}

	/**
	 * Return the loopback port clients connect to.
	 * @return the port
	 */
	public int port() {
		return this.listener.getLocalPort();
	}

	/**
	 * Return a JDBC URL for the given database through this proxy.
	 * @param database the database name
	 * @return the JDBC URL
	 */
	public String url(String database) {
		return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
	}

	/**
	 * Return the current mode.
	 * @return the mode
	 */
	public Mode mode() {
		return this.mode;
	}

	/**
	 * Switch the mode; switching to {@link Mode#RESET} resets every open connection at once.
	 * @param mode the new mode
	 */
	public void mode(Mode mode) {
		this.lock.lock();
		try {
			this.mode = mode;
			this.modeChanged.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		if (mode == Mode.RESET) {
			resetConnections();
		}
	}

	/**
	 * Hold, or stop holding, what clients send on connections accepted from now on: a held
	 * connection reaches the server, but none of its client's bytes do until holding stops.
	 * Connections already open are not affected, so a test can delay one new connection (a
	 * cancel request, say) while the others work.
	 * @param hold whether to hold new connections
	 */
	public void holdNewConnections(boolean hold) {
		this.lock.lock();
		try {
			this.holdingNewConnections = hold;
			this.modeChanged.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Reset every open connection once (TCP RST to both sides), leaving the mode as it is.
	 */
	public void resetConnections() {
		for (Link link : this.links) {
			link.close(true);
		}
	}

	/**
	 * Return how many proxied connections are open now.
	 * @return the number of open connections
	 */
	public int openConnections() {
		return this.links.size();
	}

	/**
	 * Return how many connections the proxy accepted since it started.
	 * @return the number of accepted connections
	 */
	public int acceptedConnections() {
		return this.accepted.get();
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.listener.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
		resetConnections();
		this.lock.lock();
		try {
			this.modeChanged.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		List<Thread> toJoin = new ArrayList<>(this.threads);
		toJoin.add(this.acceptor);
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
		for (Thread thread : toJoin) {
			long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left <= 0) {
				break;
			}
			try {
				thread.join(left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public String toString() {
		return "LoopbackProxy[127.0.0.1:" + port() + " -> " + this.target.getHostString() + ":"
				+ this.target.getPort() + " " + this.mode + "]";
	}

	private void acceptLoop() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.listener.accept();
			}
			catch (IOException ex) {
				return;
			}
			this.accepted.incrementAndGet();
			Mode current = this.mode;
			if (current == Mode.RESET || this.links.size() >= MAX_CONNECTIONS) {
				reset(client);
				continue;
			}
			Socket server = null;
			if (current != Mode.BLACKHOLE) {
				try {
					server = new Socket();
					server.connect(this.target, 5_000);
				}
				catch (IOException ex) {
					// The server is down: the client sees its connection reset, as a refused
					// connection would look through a real proxy.
					reset(client);
					closeQuietly(server);
					continue;
				}
			}
			Link link = new Link(client, server, this.holdingNewConnections);
			this.links.add(link);
			link.start();
		}
	}

	/**
	 * Wait until bytes may flow in the given direction.
	 * @return {@code false} when the link or the proxy closed while waiting
	 */
	private boolean awaitFlow(Link link, boolean fromServer) {
		this.lock.lock();
		try {
			while (!this.closed && !link.closed) {
				Mode current = this.mode;
				if (current == Mode.RESET) {
					// Held bytes die with the connection: never deliver them on the way to a reset.
					return false;
				}
				boolean blocked = current == Mode.BLACKHOLE || (fromServer && current == Mode.HOLD_RESPONSES)
						|| (!fromServer && link.held && this.holdingNewConnections);
				if (!blocked) {
					return true;
				}
				// A bounded wait: close() of a link does not signal this condition.
				this.modeChanged.await(100, TimeUnit.MILLISECONDS);
			}
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	private static void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
		}
		catch (SocketException ex) {
			// Already closed: nothing to reset.
		}
		closeQuietly(socket);
	}

	private static void closeQuietly(@Nullable Socket socket) {
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// Nothing more to do.
			}
		}
	}

	/**
	 * One proxied connection: the client's socket, the server's (none for a black-holed
	 * connection) and a pump thread for each direction.
	 */
	private final class Link {

		private final Socket client;

		private final @Nullable Socket server;

		private final boolean held;

		private volatile boolean closed;

		Link(Socket client, @Nullable Socket server, boolean held) {
			this.client = client;
			this.server = server;
			this.held = held;
		}

		void start() {
			String name = "loopback-proxy-" + port() + "-" + this.client.getPort();
			Socket server = this.server;
			if (server == null) {
				startThread(name + "-sink", this::sink);
				return;
			}
			startThread(name + "-up", () -> pump(this.client, server, false));
			startThread(name + "-down", () -> pump(server, this.client, true));
		}

		private void startThread(String name, Runnable task) {
			Set<Thread> threads = LoopbackProxy.this.threads;
			Thread thread = new Thread(() -> {
				try {
					task.run();
				}
				finally {
					threads.remove(Thread.currentThread());
				}
			}, name);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}

		private void sink() {
			byte[] buffer = new byte[BUFFER_SIZE];
			try (InputStream in = this.client.getInputStream()) {
				while (in.read(buffer) >= 0) {
					// Read and never answer.
				}
			}
			catch (IOException ex) {
				// Reset or closed.
			}
			close(false);
		}

		private void pump(Socket from, Socket to, boolean fromServer) {
			byte[] buffer = new byte[BUFFER_SIZE];
			try {
				InputStream in = from.getInputStream();
				OutputStream out = to.getOutputStream();
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (!awaitFlow(this, fromServer)) {
						return;
					}
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// Reset or closed: end the link below.
			}
			finally {
				close(false);
			}
		}

		void close(boolean reset) {
			if (this.closed && !reset) {
				return;
			}
			this.closed = true;
			LoopbackProxy.this.links.remove(this);
			if (reset) {
				reset(this.client);
				if (this.server != null) {
					reset(this.server);
				}
			}
			else {
				closeQuietly(this.client);
				closeQuietly(this.server);
			}
		}

	}

}
