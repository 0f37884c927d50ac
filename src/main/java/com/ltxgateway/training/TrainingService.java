package com.ltxgateway.training;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.FieldViolation;
import com.ltxgateway.Hashing;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.access.TeamKeyRequired;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.training.IdempotencyRecords.StoredResponse;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** The training API's use cases. Team isolation is enforced here: another team's training is simply not found. */
@Service
public class TrainingService {

    private static final String PREFLIGHT = "preflight";
    /** Writes a body with its keys sorted, so the same body sent in another key order fingerprints the same. */
    private static final JsonMapper SORTED = JsonMapper.builder().enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED).build();

    private final TrainingRequestValidator validator;
    private final TrainingRows rows;
    private final TimelineEntries timeline;
    private final TrainingTransitions transitions;
    private final IdempotencyRecords idempotency;
    private final TeamDirectory teams;
    private final StepPrice prices;
    private final TrainingDestinations destinations;
    private final AuditLog auditLog;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final OptionalBean<SpendLimits> limits;
    private final FairTurns turns;
    private final OptionalBean<OutputCopies> copies;
    private final OptionalBean<TrainingDatasets> datasets;
    private final GatewayProperties gateway;

    TrainingService(TrainingRequestValidator validator, TrainingRows rows, TimelineEntries timeline,
            TrainingTransitions transitions, IdempotencyRecords idempotency, TeamDirectory teams,
            StepPrice prices, TrainingDestinations destinations, AuditLog auditLog,
            TransactionTemplate transactions, JsonMapper json, ObjectProvider<SpendLimits> limits, FairTurns turns,
            ObjectProvider<OutputCopies> copies, ObjectProvider<TrainingDatasets> datasets, GatewayProperties gateway) {
        this.validator = validator;
        this.rows = rows;
        this.timeline = timeline;
        this.transitions = transitions;
        this.idempotency = idempotency;
        this.teams = teams;
        this.prices = prices;
        this.destinations = destinations;
        this.auditLog = auditLog;
        this.transactions = transactions;
        this.json = json;
        this.turns = turns;
        this.copies = new OptionalBean<>(copies);
        this.datasets = new OptionalBean<>(datasets);
        this.gateway = gateway;
        this.limits = new OptionalBean<>(limits);
    }

    /** A create's answer: a new training, or the stored response of an earlier request with the same key. */
    public record Created(String trainingId, TrainingView view, int replayedStatus, String replayedBody) {

        public boolean replayed() {
            return replayedBody != null;
        }
    }

    /**
     * @param unitPriceUsd USD per step the estimate is computed with
     * @param budgetRemainingUsd what the caller's team may still spend this month; null without a budget
     * @param preflight what the inspection of the zip at {@code input.training_data_url} found; null unless asked for
     */
    public record Estimate(ObjectNode input, BigDecimal unitPriceUsd, BigDecimal estimatedCostUsd,
            @Nullable BigDecimal budgetRemainingUsd, TrainingDatasets.@Nullable Preflight preflight) {
    }

    public Created create(Caller caller, JsonNode body, String idempotencyKey) {
        if (caller.admin()) {
            throw new TeamKeyRequired("Trainings");
        }
        if (idempotencyKey != null && !isValidIdempotencyKey(idempotencyKey)) {
            throw new InvalidIdempotencyKey();
        }
        String mode = caller.mode().wireName();
        byte[] sent = idempotencyKey == null ? null : Hashing.sha256(SORTED.writeValueAsString(body));
        if (idempotencyKey != null) {
            // The same body again is a replay before anything else is asked of it: rules, datasets or the mode's
            // availability may have changed since its first answer, which it gets back all the same.
            Optional<StoredResponse> same = transactions.execute(tx -> idempotency.find(caller.teamId(), mode, idempotencyKey)
                    .filter(stored -> stored.bodySha256() != null && Arrays.equals(stored.bodySha256(), sent)));
            if (same.isPresent()) {
                return new Created(same.get().trainingId(), null, same.get().status(), same.get().body());
            }
        }
        TrainingRequest request = validator.validate(body, caller);
        requireModeAvailable(caller.mode());
        if (idempotencyKey == null) {
            withDatasetUrl(caller, request);
            return transactions.execute(tx -> insert(caller, request));
        }
        // Of the request as sent: a replay matches it whatever URL the dataset has by then.
        byte[] fingerprint = fingerprint(request);
        withDatasetUrl(caller, request);
        return transactions.execute(tx -> {
            if (!idempotency.tryLock(caller.teamId(), mode, idempotencyKey)) {
                throw new IdempotentRequestInProgress();
            }
            var stored = idempotency.find(caller.teamId(), mode, idempotencyKey);
            if (stored.isPresent()) {
                return replay(stored.get(), fingerprint);
            }
            Created created = insert(caller, request);
            idempotency.save(caller.teamId(), mode, idempotencyKey, fingerprint, sent, created.trainingId(),
                    HttpStatus.ACCEPTED.value(), json.writeValueAsString(created.view()));
            return created;
        });
    }

    /**
     * Validates a create's body and estimates its cost, storing nothing. With {@code "preflight": true} in the body,
     * the zip at {@code input.training_data_url} is downloaded and inspected too.
     */
    public Estimate estimate(Caller caller, JsonNode body) {
        boolean preflight = false;
        if (body instanceof ObjectNode object && object.has(PREFLIGHT)) {
            JsonNode flag = object.get(PREFLIGHT);
            if (!flag.isBoolean()) {
                throw new TrainingRequestInvalid(List.of(new FieldViolation(PREFLIGHT, "must be true or false")));
            }
            preflight = flag.asBoolean();
            body = object.deepCopy().without(PREFLIGHT);
        }
        TrainingRequest request = validator.validate(body, caller);
        TrainingDatasets.Preflight found = null;
        if (preflight) {
            if (request.datasetId() != null) {
                throw new TrainingRequestInvalid(List.of(new FieldViolation(PREFLIGHT,
                        "checks input.training_data_url; a dataset_id's zip was inspected when it was uploaded")));
            }
            TrainingDatasets available = datasets.get().orElse(null);
            if (available == null) {
                throw new TrainingRequestInvalid(List.of(new FieldViolation(PREFLIGHT, "is not available on this gateway")));
            }
            found = available.preflight(request.input().get("training_data_url").asString(), request.input().path("number_of_frames").asInt(),
                    request.input().path("auto_scale_input").asBoolean(false));
        }
        SpendLimits spendLimits = limits.get().orElse(null);
        BigDecimal remaining = caller.teamId() == null || spendLimits == null ? null
                : spendLimits.remaining(caller.teamId()).orElse(null);
        BigDecimal unitPrice = prices.current().usdPerStep();
        return new Estimate(request.input(), unitPrice, StepPrice.cost(unitPrice, request.numberOfSteps()), remaining, found);
    }

    /**
     * No transaction of its own: the read by id is the API's most frequent request, and each of its reads (the row,
     * then a waiting training's place or a succeeded one's copies) is one statement in autocommit; a transaction would
     * add its own statements to every one of them.
     */
    public TrainingView get(Caller caller, String id) {
        return get(caller::canSee, id);
    }

    /**
     * Only checks that the caller may see the training, for features that serve something of it.
     *
     * @throws TrainingNotFound when it does not exist or is another team's
     */
    public void requireVisible(Caller caller, String id) {
        requireVisible(caller::canSee, id);
    }

    /** {@code canSee} tells which teams' trainings exist for the reader; the others are not found. */
    TrainingView get(Predicate<UUID> canSee, String id) {
        return view(visible(canSee, rows.find(id).orElse(null), id));
    }

    @Transactional
    public TrainingView cancel(Caller caller, String id) {
        return cancel(caller::canSee, caller.actor(), id);
    }

    @Transactional
    TrainingView cancel(Predicate<UUID> canSee, String actor, String id) {
        return view(transitions.requestCancel(id, canSee, actor));
    }

    /** An admin's decision that fal does not hold the training's unconfirmed submit; audited with the change. */
    @Transactional
    TrainingView resubmit(String actor, String id) {
        Training training = transitions.resubmit(id, actor);
        auditLog.record(actor, "training.resubmitted", "training:" + id);
        return view(training);
    }

    public List<TimelineEntry> timeline(Caller caller, String id) {
        return timeline(caller::canSee, id);
    }

    List<TimelineEntry> timeline(Predicate<UUID> canSee, String id) {
        requireVisible(canSee, id);
        return timeline.of(id);
    }

    TrainingView view(Training training) {
        return views(List.of(training)).getFirst();
    }

    /** Views of several trainings, with the waiting ones' positions read once for all. */
    List<TrainingView> views(List<Training> page) {
        List<Training> waiting = page.stream().filter(training -> training.waitingReason() != null).toList();
        Map<String, Integer> positions = waiting.isEmpty() ? Map.of() : turns.positions(waiting);
        List<String> succeeded = page.stream().filter(training -> training.status() == TrainingStatus.SUCCEEDED).map(Training::id).toList();
        OutputCopies outputCopies = copies.get().orElse(null);
        boolean copied = !succeeded.isEmpty() && outputCopies != null;
        Map<String, Map<String, OutputCopies.Copy>> copiesOf = copied ? outputCopies.of(succeeded) : Map.of();
        Set<String> pinned = copied ? outputCopies.pinned(succeeded) : Set.of();
        return page.stream()
                .map(training -> TrainingView.of(training, teams.slugOf(training.teamId()).orElse(null), positions.get(training.id()),
                        copiesOf.getOrDefault(training.id(), Map.of()), pinned.contains(training.id()), name -> filesUrl(training.id(), name), json))
                .toList();
    }

    /** Where the gateway serves a training's stored output file. */
    private String filesUrl(String trainingId, String outputName) {
        return gateway.publicUrl("/v1/trainings/" + trainingId + "/files/" + outputName).toString();
    }

    private Created insert(Caller caller, TrainingRequest request) {
        BigDecimal unitPrice = prices.current().usdPerStep();
        if (caller.mode() == KeyMode.LIVE) {
            BigDecimal estimate = StepPrice.cost(unitPrice, request.numberOfSteps());
            limits.get().ifPresent(spendLimits -> spendLimits.reserve(caller.teamId(), estimate));
        }
        Training training = transitions.create(caller.teamId(), caller.mode().wireName(), request, unitPrice, caller.actor());
        return new Created(training.id(), TrainingView.of(training, caller.teamSlug(), null, Map.of(), false, name -> filesUrl(training.id(), name),
                json), 0, null);
    }

    private Created replay(StoredResponse stored, byte[] fingerprint) {
        if (!Arrays.equals(stored.requestSha256(), fingerprint)) {
            throw new IdempotencyKeyReused();
        }
        return new Created(stored.trainingId(), null, stored.status(), stored.body());
    }

    /** A training on a dataset names the zip where fal downloads it: fal's storage for a live key, the gateway for a sandbox key. */
    private void withDatasetUrl(Caller caller, TrainingRequest request) {
        if (request.datasetId() != null) {
            request.input().put("training_data_url", datasets.get().orElseThrow().trainingDataUrl(caller, request.datasetId()));
        }
    }

    /** Requests that mean the same, whatever their key order or spelled-out defaults, share a fingerprint. */
    private byte[] fingerprint(TrainingRequest request) {
        ObjectNode canonical = json.createObjectNode();
        canonical.set("input", request.input());
        canonical.put("webhook_url", request.webhookUrl());
        canonical.set("metadata", json.valueToTree(new TreeMap<>(request.metadata())));
        canonical.put("priority", request.priority().wireName());
        if (request.datasetId() != null) {
            canonical.put("dataset_id", request.datasetId());
        }
        return Hashing.sha256(json.writeValueAsString(canonical));
    }

    private void requireModeAvailable(KeyMode mode) {
        if (destinations.available(mode)) {
            return;
        }
        throw new TrainingModeUnavailable(mode == KeyMode.LIVE
                ? "Live trainings are unavailable: the gateway has no fal key configured"
                : "Sandbox trainings are unavailable: the sandbox is switched off");
    }

    /** Reads only the training's team: the whole row is several kilobytes of JSON that a check does not need. */
    private void requireVisible(Predicate<UUID> canSee, String id) {
        if (rows.teamOf(id).filter(canSee).isEmpty()) {
            throw new TrainingNotFound(id);
        }
    }

    private static Training visible(Predicate<UUID> canSee, Training training, String id) {
        if (training == null || !canSee.test(training.teamId())) {
            throw new TrainingNotFound(id);
        }
        return training;
    }

    private static boolean isValidIdempotencyKey(String key) {
        return !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
