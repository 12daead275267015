package dev.managedconnection.jpa;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * An owner page that reads the owner's pets while it renders, as a view template does.
 */
@RestController
class OwnerController {

	private final OwnerRepository owners;

	OwnerController(OwnerRepository owners) {
		this.owners = owners;
	}

	@GetMapping("/owners/{id}")
	String owner(@PathVariable int id) {
		Owner owner = this.owners.findById(id).orElseThrow();
		// Outside any transaction: the pets load lazily only with open-session-in-view.
		return owner.getName() + " " + owner.getPets().stream().map(Pet::getName).sorted().toList();
	}

}
