package dev.managedconnection.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagedConnectionSanitizingAutoConfiguration}.
 */
class ManagedConnectionSanitizingAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ManagedConnectionSanitizingAutoConfiguration.class));

	@Test
	void isListedInTheAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
			.contains(ManagedConnectionSanitizingAutoConfiguration.class.getName());
	}

	@Test
	void registersTheSanitizingFunction() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(SanitizingFunction.class);
			SanitizingFunction function = context.getBean("managedConnectionSanitizingFunction",
					SanitizingFunction.class);
			assertThat(function.apply(new SanitizableData(null, "spring.datasource.password", "s3cret")).getValue())
				.isEqualTo(SanitizableData.SANITIZED_VALUE);
		});
	}

	@Test
	void keepsAFunctionOfTheSameName() {
		this.contextRunner.withUserConfiguration(UserFunctionConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SanitizingFunction.class)
				.getBean("managedConnectionSanitizingFunction")
				.isSameAs(UserFunctionConfiguration.FUNCTION));
	}

	@Test
	void addsToOtherSanitizingFunctions() {
		this.contextRunner.withBean("other", SanitizingFunction.class, () -> (data) -> data)
			.run((context) -> assertThat(context.getBeansOfType(SanitizingFunction.class)).hasSize(2));
	}

	@Test
	void backsOffWithoutActuator() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(SanitizingFunction.class));
	}

	@Test
	void backsOffWhenTheManagedConnectionIsDisabled() {
		this.contextRunner.withPropertyValues("managed-connection.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SanitizingFunction.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFunctionConfiguration {

		static final SanitizingFunction FUNCTION = (data) -> data;

		@Bean
		SanitizingFunction managedConnectionSanitizingFunction() {
			return FUNCTION;
		}

	}

}
