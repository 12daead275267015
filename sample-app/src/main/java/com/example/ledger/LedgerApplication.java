package com.example.ledger;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A small bank ledger REST service whose every request shares one PostgreSQL connection through
 * the managed-connection starter.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class LedgerApplication {

	public static void main(String[] args) {
		SpringApplication.run(LedgerApplication.class, args);
	}

}
