package com.ltxgateway.training;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

import static com.ltxgateway.Amounts.plain;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A training as the API and the dashboard show it.
 *
 * @param costUsd what fal billed for it: null until fal's billing events name it, 0 for a training fal does not bill
 * (failed, canceled, sandbox)
 * @param submitUnconfirmedAt set while a submit may have reached fal but its answer was lost: the training stays
 * pending and is not submitted again until evidence (a fal webhook, fal's request listing) or an admin settles it
 * @param falUnreachableSince set while fal has been failing for this training (unreachable, 5xx, refusing the key);
 * nothing fails by that alone, the gateway keeps retrying
 * @param input fal's input as forwarded, every default included; documented as the contract it was read with
 * @param unitPriceUsd USD per step that {@code estimated_cost_usd} was computed with: fal's own price for the account
 * when the gateway knew it, else the configured rate; null only for one created by an instance of an earlier release
 * during a rolling upgrade
 * @param waitingReason why a pending training has not been submitted yet: its team's or the account's limit on
 * trainings at fal at once; null when it is not waiting for a turn
 * @param waitingPosition its place in the gateway's queue for turns at fal (1 goes next): the account's queue when the
 * account is limited, else its team's; null when it is not waiting
 * @param datasetId the uploaded dataset it trains on (its input's training_data_url is where fal downloads it); null
 * when the input names the zip's URL
 * @param pinned whether its output copies are pinned: kept past the gateway's retention
 */
public record TrainingView(String id, String team, String mode, String status,
        @Schema(implementation = TrainingInput.class) JsonNode input, String datasetId, String priority, BigDecimal unitPriceUsd, BigDecimal estimatedCostUsd,
        BigDecimal costUsd, JsonNode metadata, String webhookUrl, String falRequestId, Integer queuePosition,
        @Schema(allowableValues = { "team_limit", "account_limit" }) String waitingReason, Integer waitingPosition, Outputs output,
        boolean pinned, JsonNode error, Instant cancelRequestedAt, Instant submitUnconfirmedAt, Instant falUnreachableSince,
        Instant createdAt, Instant submittedAt, Instant startedAt, Instant finishedAt) {

    /**
     * @param copies the gateway's copies of the training's output files, by output name
     * @param storedUrl where the gateway serves a stored output file, by output name
     */
    static TrainingView of(Training t, String teamSlug, Integer waitingPosition, Map<String, OutputCopies.Copy> copies,
            boolean pinned, Function<String, String> storedUrl, JsonMapper json) {
        return new TrainingView(t.id(), teamSlug, t.mode(), t.status().wireName(), json.readTree(t.input()), t.datasetId(), t.priority().wireName(),
                t.unitPriceUsd() == null ? null : plain(t.unitPriceUsd()), plain(t.estimatedCostUsd()), t.costUsd() == null ? null : plain(t.costUsd()), json.readTree(t.metadata()),
                t.webhookUrl(), t.falRequestId(), t.queuePosition(), t.waitingReason() == null ? null : t.waitingReason().wireName(),
                t.waitingReason() == null ? null : waitingPosition, t.output() == null ? null : Outputs.of(json.readTree(t.output()), copies, storedUrl),
                pinned, t.error() == null ? null : json.readTree(t.error()), t.cancelRequestedAt(), t.submitUnconfirmedAt(),
                t.falUnreachableSince(), t.createdAt(), t.submittedAt(), t.startedAt(), t.finishedAt());
    }

    /** The files fal returned; {@code file_data} and anything fal adds later are not passed on. */
    public record Outputs(FileView loraFile, FileView configFile, FileView video, FileView audio, FileView debugDataset) {

        static Outputs of(JsonNode output, Map<String, OutputCopies.Copy> copies, Function<String, String> storedUrl) {
            Function<String, FileView> file = name -> FileView.of(output.get(name), copies.get(name), storedUrl.apply(name));
            return new Outputs(file.apply("lora_file"), file.apply("config_file"), file.apply("video"), file.apply("audio"),
                    file.apply("debug_dataset"));
        }
    }

    /**
     * One output file.
     *
     * @param url where to download it: the gateway's {@code /v1/trainings/{id}/files/{name}} once it is stored, fal's
     * until then
     * @param sha256 the stored bytes' SHA-256, hex; null until stored
     * @param stored whether the gateway holds a copy, which outlives fal's
     * @param sourceUrl fal's URL, which stops working when fal's copy expires
     */
    public record FileView(String url, String contentType, String fileName, Long fileSize, String sha256, boolean stored,
            String sourceUrl) {

        static FileView of(JsonNode file, OutputCopies.Copy copy, String storedUrl) {
            if (file == null || !file.isObject() || !file.hasNonNull("url")) {
                return null;
            }
            String source = file.get("url").asString();
            boolean stored = copy != null && copy.stored();
            return new FileView(stored ? storedUrl : source, text(file, "content_type"), text(file, "file_name"),
                    file.hasNonNull("file_size") && file.get("file_size").canConvertToLong() ? file.get("file_size").asLong() : null,
                    stored ? copy.sha256() : null, stored, source);
        }

        private static String text(JsonNode node, String field) {
            return node.hasNonNull(field) ? node.get(field).asString() : null;
        }
    }
}
