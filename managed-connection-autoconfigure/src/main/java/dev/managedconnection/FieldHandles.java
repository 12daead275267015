package dev.managedconnection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Finds the {@link VarHandle} of a field of the calling class, for the few fields the hot path
 * writes with weaker ordering or compares and sets.
 */
final class FieldHandles {

	private FieldHandles() {
	}

	/**
	 * Return the handle of a field of the class that created the lookup.
	 * @param lookup {@code MethodHandles.lookup()} of the class that declares the field
	 * @param name the field's name
	 * @param type the field's type
	 * @return the handle
	 * @throws ExceptionInInitializerError if there is no such field, as this runs in a static
	 * initializer
	 */
	static VarHandle of(MethodHandles.Lookup lookup, String name, Class<?> type) {
		try {
			return lookup.findVarHandle(lookup.lookupClass(), name, type);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

}
