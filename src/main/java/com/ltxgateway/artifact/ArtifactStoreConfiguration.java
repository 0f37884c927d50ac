package com.ltxgateway.artifact;

import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

    /** Credentials for S3 come from the AWS default chain: environment, profile, container or instance role. */
    @Bean
    ArtifactStore artifactStore(ArtifactProperties properties) {
        if (properties.store().equals("s3")) {
            ArtifactProperties.S3 s3 = properties.s3();
            return S3ArtifactStore.connect(s3.endpoint(), s3.region(), s3.pathStyle(),
                    DefaultCredentialsProvider.builder().build(), s3.bucket());
        }
        return new FilesystemArtifactStore(properties.dir());
    }
}
