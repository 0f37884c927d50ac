package com.ltxgateway.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * Resolves host names through the outbound URL policy, so a connection only ever goes to an address that
 * was checked in the same lookup: a DNS answer that changes after an earlier check (DNS rebinding) cannot lead it
 * inside. The JDK's lookup blocks, so it runs on a virtual thread instead of an event loop other clients share.
 */
final class CheckedAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final OutboundUrlPolicy policy;

    CheckedAddressResolverGroup(OutboundUrlPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {

            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                Thread.ofVirtual().name("outbound-dns").start(() -> {
                    try {
                        promise.setSuccess(policy.resolve(host).getFirst());
                    }
                    catch (UnknownHostException | RuntimeException e) {
                        promise.setFailure(e);
                    }
                });
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                Thread.ofVirtual().name("outbound-dns").start(() -> {
                    try {
                        promise.setSuccess(policy.resolve(host));
                    }
                    catch (UnknownHostException | RuntimeException e) {
                        promise.setFailure(e);
                    }
                });
            }
        }.asAddressResolver();
    }
}
