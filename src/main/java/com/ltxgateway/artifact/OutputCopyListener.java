package com.ltxgateway.artifact;

import com.ltxgateway.training.TrainingOutputs;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingStatusChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/** A training that succeeded gets a copy job per output file, in the transaction that records the success. */
@Component
class OutputCopyListener {

    private final OutputCopyRows rows;
    private final TrainingOutputs outputs;
    private final OutputCopier copier;

    OutputCopyListener(OutputCopyRows rows, TrainingOutputs outputs, OutputCopier copier) {
        this.rows = rows;
        this.outputs = outputs;
        this.copier = copier;
    }

    @EventListener
    void on(TrainingStatusChanged event) {
        if (event.to() == TrainingStatus.SUCCEEDED) {
            rows.add(event.trainingId(), outputs.of(event.trainingId()));
        }
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void wakeUp(TrainingStatusChanged event) {
        if (event.to() == TrainingStatus.SUCCEEDED) {
            copier.wakeUp();
        }
    }
}
