package dev.managedconnection.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import org.jspecify.annotations.Nullable;

/**
 * A pet of an {@link Owner}.
 */
@Entity
@Table(name = "pets")
public class Pet {

	@Id
	@GeneratedValue(strategy = GenerationType.IDENTITY)
	private @Nullable Integer id;

	private String name = "";

	@ManyToOne(fetch = FetchType.LAZY)
	private @Nullable Owner owner;

	protected Pet() {
	}

	Pet(String name, Owner owner) {
		this.name = name;
		this.owner = owner;
	}

	public String getName() {
		return this.name;
	}

}
