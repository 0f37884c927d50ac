package com.ltxgateway.training;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
class TrainingStatusConverter implements AttributeConverter<TrainingStatus, String> {

    @Override
    public String convertToDatabaseColumn(TrainingStatus status) {
        return status == null ? null : status.wireName();
    }

    @Override
    public TrainingStatus convertToEntityAttribute(String value) {
        return value == null ? null : TrainingStatus.fromWireName(value);
    }
}
