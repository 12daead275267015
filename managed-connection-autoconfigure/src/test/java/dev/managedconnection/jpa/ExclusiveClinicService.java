package dev.managedconnection.jpa;

import dev.managedconnection.annotation.ExclusiveConnection;

import org.springframework.stereotype.Service;

/**
 * Calls {@link ClinicService} and {@link AuditService} transactions while holding the connection
 * with {@link ExclusiveConnection @ExclusiveConnection}.
 */
@Service
public class ExclusiveClinicService {

	private final ClinicService clinic;

	private final AuditService audit;

	ExclusiveClinicService(ClinicService clinic, AuditService audit) {
		this.clinic = clinic;
		this.audit = audit;
	}

	@ExclusiveConnection
	public void saveAThenBInNewTransactionThenFail() {
		this.clinic.saveAThenBInNewTransactionThenFail();
	}

	@ExclusiveConnection
	public void saveInTransaction() {
		this.audit.saveInSameTransaction("T");
	}

}
