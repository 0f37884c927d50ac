package com.ltxgateway.training;

import java.util.Optional;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * A bean another module provides when its feature is on (datasets, budgets, output copies), looked up once: an
 * {@link ObjectProvider} resolves the bean again on every call, which cost a read by id 4 % of its CPU.
 */
final class OptionalBean<T> {

    private final SingletonSupplier<Optional<T>> bean;

    OptionalBean(ObjectProvider<T> provider) {
        this.bean = SingletonSupplier.of(() -> Optional.ofNullable(provider.getIfAvailable()));
    }

    Optional<T> get() {
        return bean.obtain();
    }
}
