package com.example.ledger.embedded;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Starts an {@link EmbeddedLedgerDatabase} when no {@code spring.datasource.url} is configured,
 * so the app runs on a machine with nothing but a JDK, and stops it with the application context.
 * <p>
 * It acts on {@link ApplicationPreparedEvent}: the environment is then complete (including
 * properties a test adds with {@code @DynamicPropertySource}, which arrive after the environment
 * is first prepared) and no bean exists yet. The server's URL goes in as the highest-precedence
 * property source; the server itself becomes a bean that the {@link ManagedConnection} and
 * {@link DataSource} beans depend on, so it is stopped only after they are closed. If startup
 * fails, {@link ApplicationFailedEvent} stops it.
 * <p>
 * Registered in {@code META-INF/spring.factories}.
 */
class EmbeddedPostgresBootstrap implements SmartApplicationListener {

	static final String BEAN_NAME = "ledgerEmbeddedPostgres";

	static final String PROPERTY_SOURCE_NAME = "ledgerEmbeddedPostgres";

	private static final String URL_PROPERTY = "spring.datasource.url";

	/** Set by Spring's AOT processing, see {@code org.springframework.context.aot.AbstractAotProcessor}. */
	private static final String AOT_PROCESSING = "spring.aot.processing";

	private static final Log logger = LogFactory.getLog(EmbeddedPostgresBootstrap.class);

	private @Nullable EmbeddedLedgerDatabase database;

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationPreparedEvent.class.isAssignableFrom(eventType)
				|| ApplicationFailedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if (event instanceof ApplicationPreparedEvent prepared) {
			startIfNoDatabaseConfigured(prepared.getApplicationContext());
		}
		else if (event instanceof ApplicationFailedEvent && this.database != null) {
			this.database.close();
		}
	}

	private void startIfNoDatabaseConfigured(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (StringUtils.hasText(environment.getProperty(URL_PROPERTY)) || isAotProcessing()) {
			return;
		}
		if (!(context.getBeanFactory() instanceof BeanDefinitionRegistry registry)) {
			throw new IllegalStateException("Cannot start an embedded PostgreSQL for a " + context.getClass().getName()
					+ "; set spring.datasource.url");
		}
		EmbeddedLedgerDatabase database = EmbeddedLedgerDatabase.start();
		this.database = database;
		environment.getPropertySources()
			.addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, database.dataSourceProperties()));
		RootBeanDefinition definition = new RootBeanDefinition(EmbeddedLedgerDatabase.class, () -> database);
		definition.setDestroyMethodName("close");
		registry.registerBeanDefinition(BEAN_NAME, definition);
		context.addBeanFactoryPostProcessor(new DependsOnEmbeddedDatabase());
		logger.info("No spring.datasource.url is configured, so the app started an embedded PostgreSQL for this run at "
				+ database.url() + " (user '" + EmbeddedLedgerDatabase.USERNAME
				+ "'); its data is deleted when the app stops. To use your own server, set SPRING_DATASOURCE_URL, "
				+ "SPRING_DATASOURCE_USERNAME and SPRING_DATASOURCE_PASSWORD.");
	}

	/**
	 * Whether the context is being prepared for ahead-of-time processing at build time, when
	 * no bean is created: a server started then would outlive the build, and its instance
	 * supplier cannot be turned into code. The AOT-processed app starts one at run time.
	 */
	private static boolean isAotProcessing() {
		return Boolean.getBoolean(AOT_PROCESSING);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	/**
	 * Makes every {@link ManagedConnection} and {@link DataSource} bean depend on the embedded
	 * server, so the context closes them before it stops the server.
	 */
	private static final class DependsOnEmbeddedDatabase implements BeanFactoryPostProcessor {

		@Override
		public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
			for (Class<?> type : new Class<?>[] { ManagedConnection.class, DataSource.class }) {
				for (String name : beanFactory.getBeanNamesForType(type, true, false)) {
					if (beanFactory.containsBeanDefinition(name)) {
						BeanDefinition definition = beanFactory.getBeanDefinition(name);
						definition.setDependsOn(StringUtils.addStringToArray(definition.getDependsOn(), BEAN_NAME));
					}
				}
			}
		}

	}

}
