package dev.managedconnection.autoconfigure;

import java.sql.SQLException;

import javax.sql.DataSource;

import dev.managedconnection.ManagedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Says once, at startup, that open-session-in-view is on: with it each web request holds the
 * one shared connection from its first query until its view has been rendered, so requests
 * queue for each other's rendering.
 */
class OpenInViewNotice implements SmartInitializingSingleton {

	static final String INTERCEPTOR_CLASS = "org.springframework.orm.jpa.support.OpenEntityManagerInViewInterceptor";

	private static final Logger logger = LoggerFactory.getLogger(ManagedConnectionAutoConfiguration.class);

	private final ListableBeanFactory beanFactory;

	OpenInViewNotice(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (isOpenInViewOn()) {
			logger.info("Open-session-in-view is on (spring.jpa.open-in-view, on by default): each web request holds "
					+ "the one managed connection from its first query until its view has been rendered. Set "
					+ "spring.jpa.open-in-view=false to release it after each transaction.");
		}
	}

	boolean isOpenInViewOn() {
		if (!isManagedDataSource()) {
			return false;
		}
		for (String name : this.beanFactory.getBeanDefinitionNames()) {
			Class<?> type = this.beanFactory.getType(name, false);
			if (type != null && type.getName().equals(INTERCEPTOR_CLASS)) {
				return true;
			}
		}
		return false;
	}

	private boolean isManagedDataSource() {
		DataSource dataSource = this.beanFactory.getBeanProvider(DataSource.class).getIfUnique();
		try {
			return dataSource != null && dataSource.isWrapperFor(ManagedConnection.class);
		}
		catch (SQLException ex) {
			return false;
		}
	}

}
