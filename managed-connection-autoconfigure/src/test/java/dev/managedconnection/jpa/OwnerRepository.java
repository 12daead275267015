package dev.managedconnection.jpa;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The owners.
 */
public interface OwnerRepository extends JpaRepository<Owner, Integer> {

	List<Owner> findAllByOrderByName();

}
