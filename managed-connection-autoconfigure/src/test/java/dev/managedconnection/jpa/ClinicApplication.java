package dev.managedconnection.jpa;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Owners and their pets, kept with Spring Data JPA and Hibernate on the managed connection.
 */
@SpringBootApplication
public class ClinicApplication {

}
