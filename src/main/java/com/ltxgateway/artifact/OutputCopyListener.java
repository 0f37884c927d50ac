package com.ltxgateway.artifact;

import java.util.List;

import com.ltxgateway.training.TrainingOutputs;
import com.ltxgateway.training.TrainingOutputs.OutputFile;
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
    private final OutputAnnouncements announcements;

    OutputCopyListener(OutputCopyRows rows, TrainingOutputs outputs, OutputCopier copier, OutputAnnouncements announcements) {
        this.rows = rows;
        this.outputs = outputs;
        this.copier = copier;
        this.announcements = announcements;
    }

    /** A training without output files is announced at once; the others once their copies are settled. */
    @EventListener
    void on(TrainingStatusChanged event) {
        if (event.to() == TrainingStatus.SUCCEEDED) {
            List<OutputFile> files = outputs.of(event.trainingId());
            rows.add(event.trainingId(), files);
            if (files.isEmpty()) {
                announcements.announce(event.trainingId());
            }
        }
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void wakeUp(TrainingStatusChanged event) {
        if (event.to() == TrainingStatus.SUCCEEDED) {
            copier.wakeUp();
        }
    }
}
