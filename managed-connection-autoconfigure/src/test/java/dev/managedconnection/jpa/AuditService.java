package dev.managedconnection.jpa;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Work that a {@link ClinicService} transaction calls, in a transaction of its own or in the
 * caller's.
 */
@Service
public class AuditService {

	private final OwnerRepository owners;

	AuditService(OwnerRepository owners) {
		this.owners = owners;
	}

	@Transactional(propagation = Propagation.REQUIRES_NEW)
	public void saveInNewTransaction(String name) {
		this.owners.save(new Owner(name));
	}

	@Transactional
	public void saveInSameTransaction(String name) {
		this.owners.save(new Owner(name));
	}

}
