package dev.managedconnection.annotation;

import org.junit.jupiter.api.Test;

import org.springframework.aop.SpringProxy;
import org.springframework.aop.framework.Advised;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.DecoratingProxy;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ExclusiveConnectionBeanRegistrationAotProcessor}.
 */
class ExclusiveConnectionBeanRegistrationAotProcessorTests {

	private final ExclusiveConnectionBeanRegistrationAotProcessor processor = new ExclusiveConnectionBeanRegistrationAotProcessor();

	@Test
	void isRegisteredInAotFactories() {
		assertThat(AotServices.factories().load(BeanRegistrationAotProcessor.class))
			.hasAtLeastOneElementOfType(ExclusiveConnectionBeanRegistrationAotProcessor.class);
	}

	@Test
	void anAnnotatedInterfaceMethodGetsItsInterfaceReadableAndAJdkProxyHint() {
		RuntimeHints hints = process(LedgerServiceImpl.class);
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(LedgerService.class)
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_METHODS)).accepts(hints);
		assertThat(RuntimeHintsPredicates.proxies()
			.forInterfaces(LedgerService.class, SpringProxy.class, Advised.class, DecoratingProxy.class)).accepts(hints);
	}

	@Test
	void anAnnotatedSuperclassMethodGetsItsClassReadable() {
		RuntimeHints hints = process(ReportService.class);
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(BaseService.class)
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_METHODS)).accepts(hints);
		assertThat(hints.proxies().jdkProxyHints()).isEmpty();
	}

	@Test
	void aTypeLevelAnnotationCounts() {
		RuntimeHints hints = process(AnnotatedType.class);
		assertThat(RuntimeHintsPredicates.reflection().onType(AnnotatedType.class)).accepts(hints);
	}

	@Test
	void aBeanWithoutTheAnnotationContributesNothing() {
		assertThat(contribution(PlainService.class)).isNull();
	}

	private RuntimeHints process(Class<?> beanClass) {
		BeanRegistrationAotContribution contribution = contribution(beanClass);
		assertThat(contribution).isNotNull();
		GenerationContext generationContext = new DefaultGenerationContext(new ClassNameGenerator(ClassName.get("com.example", "Test")),
				new InMemoryGeneratedFiles());
		contribution.applyTo(generationContext, null);
		return generationContext.getRuntimeHints();
	}

	private BeanRegistrationAotContribution contribution(Class<?> beanClass) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("bean", new RootBeanDefinition(beanClass));
		return this.processor.processAheadOfTime(RegisteredBean.of(beanFactory, "bean"));
	}

	interface LedgerService {

		@ExclusiveConnection
		void transfer();

	}

	static class LedgerServiceImpl implements LedgerService {

		@Override
		public void transfer() {
		}

	}

	static class BaseService {

		@ExclusiveConnection
		public void report() {
		}

	}

	static class ReportService extends BaseService {

	}

	@ExclusiveConnection
	static class AnnotatedType {

		public void run() {
		}

	}

	static class PlainService {

		public void run() {
		}

	}

}
