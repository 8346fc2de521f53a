using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Groups.Pods;
using Parma.Webhook.Admission;

namespace Parma.Webhook.Tests;

/// <summary>
/// The pieces that keep admissions off the large object heap: pooled buffers, annotation comparisons that
/// do not materialize strings, and an answer writer that allocates no array the size of its patch.
/// </summary>
public sealed class HotPathTests
{
    // The size of a real group's policy annotation (base64 of ~52 KiB of Rego), ending in base64's '+' and '/'.
    private static readonly string Annotation = Convert.ToBase64String([.. Encoding.UTF8.GetBytes(new string('p', 17_749 * 3)), 0xFB, 0xEF, 0xBF]);

    [Fact]
    public void Pooled_buffer_grows_past_its_first_array_and_keeps_what_was_written()
    {
        using var buffer = new PooledBufferWriter(16);
        for (var i = 0; i < 100; i++)
        {
            var span = buffer.GetSpan(1000);
            span[..1000].Fill((byte)i);
            buffer.Advance(1000);
        }

        buffer.WrittenCount.Should().Be(100_000);
        buffer.WrittenSpan[0].Should().Be(0);
        buffer.WrittenSpan[99_999].Should().Be(99);
        buffer.WrittenMemory.Length.Should().Be(100_000);
    }

    [Fact]
    public void Pooled_buffer_refuses_to_advance_past_its_end_and_to_grow_after_dispose()
    {
        var buffer = new PooledBufferWriter(16);
        var available = buffer.GetSpan().Length;
        FluentActions.Invoking(() => buffer.Advance(available + 1)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => buffer.Advance(-1)).Should().Throw<ArgumentOutOfRangeException>();
        buffer.Dispose();
        buffer.Dispose();
        FluentActions.Invoking(() => buffer.GetSpan(1)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Parsed_annotations_compare_with_expected_text_without_being_read_as_strings()
    {
        var parsed = JsonNode.Parse($$"""{"a":"{{Annotation}}","b":"{{Annotation[..^1]}}","n":42,"e":"{{"\\u0070"}}"}""")!.AsObject();

        JsonText.EqualsString(parsed["a"], Annotation).Should().BeTrue();
        JsonText.EqualsString(parsed["b"], Annotation).Should().BeFalse("one character is missing");
        JsonText.EqualsString(parsed["n"], "42").Should().BeFalse("a number is not the string \"42\"");
        JsonText.EqualsString(parsed["missing"], Annotation).Should().BeFalse();
        JsonText.EqualsString(parsed["e"], "p").Should().BeTrue("escaped JSON text compares by its value");
        JsonText.EqualsString(JsonValue.Create(Annotation), Annotation).Should().BeTrue();
        JsonText.StringOrNull(parsed["n"]).Should().BeNull();
        JsonText.StringOrNull(parsed["a"]).Should().NotBeNull();
    }

    [Fact]
    public void Same_string_holds_for_parsed_and_built_values_alike()
    {
        var first = JsonNode.Parse($$"""{"a":"{{Annotation}}","b":"other"}""")!.AsObject();
        var second = JsonNode.Parse($$"""{"a":"{{Annotation}}"}""")!.AsObject();
        JsonValue? Value(JsonObject o, string key) => JsonText.StringOrNull(o[key]);

        JsonText.SameString(Value(first, "a"), Value(second, "a")).Should().BeTrue();
        JsonText.SameString(Value(first, "a"), Value(first, "b")).Should().BeFalse();
        JsonText.SameString(Value(first, "a"), null).Should().BeFalse();
        JsonText.SameString(null, null).Should().BeTrue();
        JsonText.SameString(JsonValue.Create(Annotation), JsonValue.Create(Annotation)).Should().BeTrue();
        JsonText.SameString(JsonValue.Create("x"), JsonValue.Create("y")).Should().BeFalse();
    }

    [Fact]
    public void Answer_carries_the_base64_patch_and_allocates_far_less_than_the_patch_size()
    {
        var patch = new JsonArray(new JsonObject
        {
            ["op"] = "add",
            ["path"] = "/metadata/annotations",
            ["value"] = new JsonObject { ["io.katacontainers.config.agent.policy"] = Annotation },
        });
        var result = AdmissionResult.AllowWithPatch(patch);
        Write(result); // warm up the pool and the JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        var answer = WrittenLength(result);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(16 * 1024, "the ~70 KiB patch and its ~95 KiB base64 live in pooled buffers (it was ~400 KB per answer)");
        var review = JsonNode.Parse(Write(result))!;
        review["response"]!["uid"]!.GetValue<string>().Should().Be("uid-1");
        review["response"]!["patchType"]!.GetValue<string>().Should().Be("JSONPatch");
        var decoded = JsonNode.Parse(Convert.FromBase64String(review["response"]!["patch"]!.GetValue<string>()))!;
        JsonNode.DeepEquals(decoded, patch).Should().BeTrue();
        Encoding.UTF8.GetString(Convert.FromBase64String(review["response"]!["patch"]!.GetValue<string>())).Should().EndWith("+++/\"}}]", "base64 '+' and '/' are not escaped");
        answer.Should().BeGreaterThan(90_000, "it holds the whole base64 patch");
    }

    private static byte[] Write(AdmissionResult result)
    {
        using var buffer = new PooledBufferWriter(128 * 1024);
        AdmissionReviewWriter.Write(buffer, "uid-1", result);
        return buffer.WrittenSpan.ToArray();
    }

    private static int WrittenLength(AdmissionResult result)
    {
        using var buffer = new PooledBufferWriter(128 * 1024);
        AdmissionReviewWriter.Write(buffer, "uid-1", result);
        return buffer.WrittenCount;
    }
}
