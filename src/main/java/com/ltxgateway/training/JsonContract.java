package com.ltxgateway.training;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.ltxgateway.FieldViolation;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Size;
import jakarta.validation.metadata.BeanDescriptor;
import jakarta.validation.metadata.ConstraintDescriptor;
import jakarta.validation.metadata.ContainerElementTypeDescriptor;
import jakarta.validation.metadata.PropertyDescriptor;
import org.hibernate.validator.constraints.CodePointLength;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads JSON into records whose components are the contract: a component's Java type is its JSON type,
 * {@code @NotNull} makes it required, the record's compact constructor gives its default, Bean Validation
 * constraints give its rules and swagger's {@code @Schema} its description. {@link #document} shows the same records
 * in the OpenAPI document, so what is checked is what is shown.
 *
 * <p>Data binding alone stops at the first unknown field, wrong type or null; this walks the whole document and
 * reports every violation at once, each under the field's snake_case path, in the order of the document. A field
 * reports the first rule it breaks: a record's rules in {@link Afterwards} run on a field once its other rules hold
 * (the record names that order with {@code @GroupSequence}). Rules across a record's fields are class constraints
 * in {@link AcrossFields}; they see the record as far as it could be read, so they are reported together with the
 * rest. A field that may be left out and has no default may also be null; any other null is refused.
 */
@Component
class JsonContract {

    /** Rules that run on a field only once its other rules hold. */
    interface Afterwards {
    }

    /** Rules that span a record's fields. */
    interface AcrossFields {
    }

    /** A record as far as it could be read (null where a field could not), and everything wrong with it. */
    record Reading<T>(T value, List<FieldViolation> violations) {
    }

    private static final String UNSTORABLE_TEXT = "must not contain U+0000 or unpaired surrogate characters";

    /** The contract's own, so that its JSON names do not depend on how the application's mapper is set up. */
    private static final JsonMapper JSON =
            JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    /** Bean Validation reports in no particular order; shorter paths first puts item [2] before item [10]. */
    private static final Comparator<FieldViolation> PATH_ORDER = Comparator
            .comparingInt((FieldViolation violation) -> violation.field().length())
            .thenComparing(FieldViolation::field)
            .thenComparing(FieldViolation::message);

    private final Validator validator;
    private final Map<Class<?>, Shape> shapes = new ConcurrentHashMap<>();
    private final Map<Class<?>, Map<String, Object>> enums = new ConcurrentHashMap<>();

    JsonContract(Validator validator) {
        this.validator = validator;
    }

    <T extends Record> Reading<T> read(Class<T> type, JsonNode json) {
        List<FieldViolation> violations = new ArrayList<>();
        Object value = read(type, "", json, violations);
        return new Reading<>(type.cast(value), violations);
    }

    /** The JSON form of a record that was read without violations: what is stored and forwarded. */
    ObjectNode toJson(Record value) {
        return JSON.valueToTree(value);
    }

    /**
     * Completes the schemas that swagger derived from {@code root} and the records it holds with what swagger does
     * not read from them: defaults, the constraints it does not know, and that unknown fields are refused.
     */
    void document(OpenAPI openApi, Class<? extends Record> root) {
        Deque<Class<?>> pending = new ArrayDeque<>(List.of(root));
        Set<Class<?>> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            Class<?> type = pending.pop();
            Schema<?> schema = openApi.getComponents().getSchemas().get(type.getSimpleName());
            if (!seen.add(type) || schema == null) {
                continue;
            }
            schema.setAdditionalProperties(false);
            Shape shape = shape(type);
            for (Field field : shape.fields()) {
                Schema<?> property = schema.getProperties().get(field.jsonName());
                if (field.fallback() != null) {
                    property.setDefault(JSON.convertValue(field.fallback(), Object.class));
                }
                PropertyDescriptor rules = validator.getConstraintsForClass(type).getConstraintsForProperty(field.name());
                if (rules != null) {
                    rules.getConstraintDescriptors().forEach(rule -> describe(property, rule, field.raw()));
                    for (ContainerElementTypeDescriptor element : rules.getConstrainedContainerElementTypes()) {
                        Schema<?> target = element.getTypeArgumentIndex() == 0 ? keys(property)
                                : (Schema<?>) property.getAdditionalProperties();
                        element.getConstraintDescriptors().forEach(rule -> describe(target, rule, String.class));
                    }
                }
                Stream.concat(Stream.of(field.type()), typeArguments(field.type()).stream())
                        .map(JsonContract::raw)
                        .filter(Class::isRecord)
                        .forEach(pending::push);
            }
        }
    }

    /** The Java value of {@code json} for {@code type}, or null once it has reported why there is none. */
    private Object read(Type type, String path, JsonNode json, List<FieldViolation> violations) {
        Class<?> raw = raw(type);
        if (raw.isRecord()) {
            return readRecord(raw, path, json, violations);
        }
        if (raw.isEnum()) {
            return readEnum(raw, path, json, violations);
        }
        if (raw == List.class) {
            return readList(typeArguments(type).getFirst(), path, json, violations);
        }
        if (raw == Map.class) {
            return readMap(typeArguments(type).getLast(), path, json, violations);
        }
        if (raw == String.class) {
            if (!json.isString()) {
                return refuse(violations, path, "must be a string");
            }
            return isStorable(json.stringValue()) ? json.stringValue() : refuse(violations, path, UNSTORABLE_TEXT);
        }
        if (raw == Boolean.class) {
            return json.isBoolean() ? json.booleanValue() : refuse(violations, path, "must be a boolean");
        }
        if (raw == Integer.class) {
            // Any other number is passed on for the field's range to judge first; see check().
            if (!json.isNumber()) {
                return refuse(violations, path, "must be an integer");
            }
            return json.canConvertToExactIntegral() && json.canConvertToInt() ? json.intValue() : json.numberValue();
        }
        if (raw == Number.class) {
            // As given, so that 1 is forwarded as 1 and 1.0 as 1.0.
            return json.isNumber() ? json.numberValue() : refuse(violations, path, "must be a number");
        }
        throw new IllegalArgumentException("The contract has no JSON form for " + type);
    }

    private Object readRecord(Class<?> type, String path, JsonNode json, List<FieldViolation> violations) {
        if (!json.isObject()) {
            return refuse(violations, path, "must be an object");
        }
        Shape shape = shape(type);
        json.propertyNames().stream()
                .filter(name -> !shape.names().contains(name))
                .forEach(name -> refuse(violations, child(path, name), "unknown field"));
        Object[] values = new Object[shape.fields().size()];
        for (int i = 0; i < values.length; i++) {
            Field field = shape.fields().get(i);
            String at = child(path, field.jsonName());
            JsonNode given = json.get(field.jsonName());
            if (given == null || given.isNull() && field.optional()) {
                values[i] = check(type, path, field, null, violations);
            }
            else if (given.isNull()) {
                refuse(violations, at, "must not be null");
            }
            else {
                Object value = read(field.type(), at, given, violations);
                values[i] = value == null ? null : check(type, path, field, value, violations);
            }
        }
        Object read = shape.construct(values);
        Set<String> reported = violations.stream().map(FieldViolation::field).collect(Collectors.toSet());
        validator.validate(read, AcrossFields.class).stream()
                .map(violation -> new FieldViolation(fieldPath(path, violation.getPropertyPath()), violation.getMessage()))
                // A field that is already wrong is not also missing.
                .filter(violation -> !reported.contains(violation.field()))
                .sorted(PATH_ORDER)
                .forEach(violations::add);
        return read;
    }

    /**
     * Runs the field's own rules on its value. Returns the value for the record, which keeps it even when a rule
     * is broken so that rules across fields still see it, unless it is not of the field's type.
     */
    private Object check(Class<?> type, String path, Field field, Object value, List<FieldViolation> violations) {
        // Asking the validator about a field without rules costs as much as about one with them, and finds nothing.
        Set<? extends ConstraintViolation<?>> broken = field.constrained() ? validator.validateValue(type, field.name(), value) : Set.of();
        broken.stream()
                .map(violation -> new FieldViolation(fieldPath(path, violation.getPropertyPath()), violation.getMessage()))
                .sorted(PATH_ORDER)
                .forEach(violations::add);
        if (value == null || field.raw().isInstance(value)) {
            return value;
        }
        // Only an integer field is given a number of another kind: one within its range has a fraction.
        if (broken.isEmpty()) {
            refuse(violations, child(path, field.jsonName()), "must be an integer");
        }
        return null;
    }

    private Object readEnum(Class<?> type, String path, JsonNode json, List<FieldViolation> violations) {
        // A numeral is taken for a number, the form in which fal documents the rank's default ("32").
        String given = json.isString() ? json.stringValue()
                : json.isNumber() && json.canConvertToExactIntegral() ? json.bigIntegerValue().toString() : null;
        Map<String, Object> constants = enums.computeIfAbsent(type, JsonContract::constantsByJsonText);
        return given != null && constants.containsKey(given) ? constants.get(given)
                : refuse(violations, path, "must be one of " + String.join(", ", constants.keySet()));
    }

    private static Map<String, Object> constantsByJsonText(Class<?> type) {
        Map<String, Object> constants = new LinkedHashMap<>();
        for (Object constant : type.getEnumConstants()) {
            constants.put(JSON.valueToTree(constant).asString(), constant);
        }
        return constants;
    }

    private Object readList(Type itemType, String path, JsonNode json, List<FieldViolation> violations) {
        if (!json.isArray()) {
            return refuse(violations, path, "must be an array");
        }
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            items.add(read(itemType, path + "[" + i + "]", json.get(i), violations));
        }
        return items;
    }

    /** An object used as a map from free-form keys to values. */
    private Object readMap(Type valueType, String path, JsonNode json, List<FieldViolation> violations) {
        if (!json.isObject()) {
            return refuse(violations, path, "must be an object");
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : json.properties()) {
            String at = child(path, entry.getKey());
            boolean storable = isStorable(entry.getKey());
            if (!storable) {
                refuse(violations, at, "key " + UNSTORABLE_TEXT);
            }
            Object value = read(valueType, at, entry.getValue(), violations);
            if (storable) {
                entries.put(entry.getKey(), value);
            }
        }
        return entries;
    }

    /** The schema keywords of the rules that swagger does not read itself. */
    private static void describe(Schema<?> schema, ConstraintDescriptor<?> rule, Class<?> type) {
        switch (rule.getAnnotation()) {
            case Between between -> schema.minimum(new BigDecimal(between.min())).maximum(new BigDecimal(between.max()));
            case HttpUrl url -> schema.format("uri").maxLength(HttpUrl.MAX_LENGTH);
            case CodePointLength length -> {
                if (length.min() > 0) {
                    schema.setMinLength(length.min());
                }
                if (length.max() < Integer.MAX_VALUE) {
                    schema.setMaxLength(length.max());
                }
            }
            case Size size when type == Map.class -> schema.setMaxProperties(size.max());
            default -> {
            }
        }
    }

    private static Schema<?> keys(Schema<?> map) {
        if (map.getPropertyNames() == null) {
            map.setPropertyNames(new StringSchema());
        }
        return map.getPropertyNames();
    }

    private Shape shape(Class<?> type) {
        return shapes.computeIfAbsent(type, this::newShape);
    }

    private Shape newShape(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        BeanDescriptor rules = validator.getConstraintsForClass(type);
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            // The compact constructor fills in the defaults of what was left out.
            Object defaults = constructor.newInstance(new Object[components.length]);
            List<Field> fields = new ArrayList<>();
            for (RecordComponent component : components) {
                Object fallback = component.getAccessor().invoke(defaults);
                boolean optional = fallback == null
                        && validator.validateValue(type, component.getName(), null).isEmpty();
                fields.add(new Field(component.getName(), jsonName(component.getName()), component.getGenericType(),
                        fallback, optional, rules.getConstraintsForProperty(component.getName()) != null));
            }
            return new Shape(constructor, List.copyOf(fields));
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException("The contract cannot construct " + type, e);
        }
    }

    /** "validation[1].middleImageUrl" as "validation[1].middle_image_url", a map's entry as "metadata.KEY". */
    private static String fieldPath(String base, Path path) {
        StringBuilder field = new StringBuilder(base);
        for (Path.Node node : path) {
            if (node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
            else if (node.getKey() != null) {
                field.append('.').append(node.getKey());
            }
            if (node.getKind() == ElementKind.PROPERTY) {
                field.append(field.isEmpty() ? "" : ".").append(jsonName(node.getName()));
            }
        }
        return field.toString();
    }

    private static String jsonName(String javaName) {
        return PropertyNamingStrategies.SNAKE_CASE.nameForField(null, null, javaName);
    }

    private static Class<?> raw(Type type) {
        return (Class<?>) (type instanceof ParameterizedType parameterized ? parameterized.getRawType() : type);
    }

    private static List<Type> typeArguments(Type type) {
        return type instanceof ParameterizedType parameterized ? List.of(parameterized.getActualTypeArguments())
                : List.of();
    }

    /**
     * JSON allows both U+0000 and unpaired surrogates in a string, but PostgreSQL's text and jsonb cannot hold
     * U+0000 (the insert fails) and an unpaired surrogate has no UTF-8 form at all.
     */
    private static boolean isStorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Records a violation; returns "no value" so that a reader can end with it. */
    private static Object refuse(List<FieldViolation> violations, String field, String message) {
        violations.add(new FieldViolation(field, message));
        return null;
    }

    /** How a record type reads: its fields in declaration order, and how to build one. */
    private record Shape(Constructor<?> constructor, List<Field> fields, Set<String> names) {

        Shape(Constructor<?> constructor, List<Field> fields) {
            this(constructor, fields, fields.stream().map(Field::jsonName).collect(Collectors.toUnmodifiableSet()));
        }

        Object construct(Object[] values) {
            try {
                return constructor.newInstance(values);
            }
            catch (ReflectiveOperationException e) {
                throw new IllegalStateException("The contract cannot construct " + constructor.getDeclaringClass(), e);
            }
        }
    }

    /**
     * @param fallback what the record holds when the field is left out (its default), or null
     * @param optional whether it may be left out or null without a default
     * @param constrained whether it has rules of its own (on it or on its items, keys or values)
     */
    private record Field(String name, String jsonName, Type type, Object fallback, boolean optional, boolean constrained) {

        Class<?> raw() {
            return JsonContract.raw(type);
        }
    }
}
