package dev.managedconnection.jpa;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;

/**
 * A pet owner; the pets load lazily, in batches when several owners' pets are needed.
 */
@Entity
@Table(name = "owners")
public class Owner {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private @Nullable Integer id;

	private String name = "";

	@OneToMany(mappedBy = "owner", cascade = CascadeType.ALL)
	private List<Pet> pets = new ArrayList<>();

	protected Owner() {
	}

	public Owner(String name) {
		this.name = name;
	}

	public @Nullable Integer getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

	public List<Pet> getPets() {
		return this.pets;
	}

	public Owner addPet(String petName) {
		this.pets.add(new Pet(petName, this));
		return this;
	}

}
