package dev.managedconnection.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.core.type.MethodMetadata;

/**
 * Matches when the application's only {@link DataSource} is the view of the managed connection
 * that {@link ManagedConnectionDataSourceConfiguration} defined.
 */
class OnManagedDataSourceCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		if (beanFactory == null) {
			return ConditionOutcome.noMatch("no bean factory");
		}
		String[] names = beanFactory.getBeanNamesForType(DataSource.class, true, false);
		if (names.length != 1) {
			return ConditionOutcome.noMatch(names.length + " DataSource beans");
		}
		if (!beanFactory.containsBeanDefinition(names[0])) {
			return ConditionOutcome.noMatch("DataSource '" + names[0] + "' is not defined by the managed connection");
		}
		BeanDefinition definition = beanFactory.getBeanDefinition(names[0]);
		MethodMetadata factoryMethod = (definition instanceof AnnotatedBeanDefinition annotated)
				? annotated.getFactoryMethodMetadata() : null;
		if (factoryMethod != null
				&& factoryMethod.getDeclaringClassName().equals(ManagedConnectionDataSourceConfiguration.class.getName())) {
			return ConditionOutcome.match("DataSource '" + names[0] + "' is the view of the managed connection");
		}
		return ConditionOutcome.noMatch("DataSource '" + names[0] + "' is not the view of the managed connection");
	}

}
