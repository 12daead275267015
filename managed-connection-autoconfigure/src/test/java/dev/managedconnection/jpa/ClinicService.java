package dev.managedconnection.jpa;

import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Transactions of the clinic as an application writes them for a pool.
 */
@Service
public class ClinicService {

	private final OwnerRepository owners;

	private final AuditService audit;

	ClinicService(OwnerRepository owners, AuditService audit) {
		this.owners = owners;
		this.audit = audit;
	}

	@Transactional
	public void saveAThenBInNewTransactionThenFail() {
		this.owners.saveAndFlush(new Owner("A"));
		this.audit.saveInNewTransaction("B");
		throw new IllegalStateException("outer failed on purpose");
	}

	@Transactional
	public void saveAThenBInSameTransaction() {
		this.owners.save(new Owner("A"));
		this.audit.saveInSameTransaction("B");
	}

	/**
	 * Every owner with the names of its pets, loaded as an owner list page does.
	 */
	@Transactional(readOnly = true)
	public List<String> ownersWithPets() {
		return this.owners.findAllByOrderByName()
			.stream()
			.map((owner) -> owner.getName() + owner.getPets().stream().map(Pet::getName).sorted().toList())
			.toList();
	}

}
