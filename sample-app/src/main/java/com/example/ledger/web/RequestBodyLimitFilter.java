package com.example.ledger.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies at {@value #MAX_BODY_BYTES} bytes, declared or chunked, so an oversized
 * body is refused (413) before it is parsed or reaches the database.
 * <p>
 * Reading past the cap throws {@link BodyTooLargeException}; the JSON converter wraps it, and
 * {@link LedgerExceptionHandler} recognizes it with {@link #isTooLarge(Throwable)}.
 */
@Component
class RequestBodyLimitFilter extends OncePerRequestFilter {

	/**
	 * The largest request body accepted, in bytes. The largest valid request is well under 1 KiB.
	 */
	static final int MAX_BODY_BYTES = 16 * 1024;

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new LimitedRequest(request), response);
	}

	static boolean isTooLarge(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof BodyTooLargeException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Thrown when a request body goes past {@link #MAX_BODY_BYTES}.
	 */
	static final class BodyTooLargeException extends IOException {

		BodyTooLargeException() {
			super("Request body larger than " + MAX_BODY_BYTES + " bytes");
		}

	}

	/**
	 * A request whose body stream stops at the cap.
	 */
	private static final class LimitedRequest extends HttpServletRequestWrapper {

		private @Nullable ServletInputStream limited;

		LimitedRequest(HttpServletRequest request) {
			super(request);
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (this.limited == null) {
				this.limited = new LimitedInputStream(super.getInputStream(), getContentLengthLong());
			}
			return this.limited;
		}

	}

	/**
	 * Counts what is read and fails once the count passes the cap, or at once when the declared
	 * length already does.
	 */
	private static final class LimitedInputStream extends ServletInputStream {

		private final ServletInputStream delegate;

		private final long declaredLength;

		private long read;

		LimitedInputStream(ServletInputStream delegate, long declaredLength) {
			this.delegate = delegate;
			this.declaredLength = declaredLength;
		}

		@Override
		public int read() throws IOException {
			checkDeclaredLength();
			int next = this.delegate.read();
			if (next != -1) {
				count(1);
			}
			return next;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			checkDeclaredLength();
			int count = this.delegate.read(buffer, offset, length);
			if (count > 0) {
				count(count);
			}
			return count;
		}

		private void checkDeclaredLength() throws BodyTooLargeException {
			if (this.declaredLength > MAX_BODY_BYTES) {
				throw new BodyTooLargeException();
			}
		}

		private void count(int bytes) throws BodyTooLargeException {
			this.read += bytes;
			if (this.read > MAX_BODY_BYTES) {
				throw new BodyTooLargeException();
			}
		}

		@Override
		public boolean isFinished() {
			return this.delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return this.delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			this.delegate.setReadListener(listener);
		}

	}

}
