using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Parma.Webhook.Admission;

/// <summary>Writes the AdmissionReview answer for a request uid.</summary>
public static class AdmissionReviewWriter
{
    // The patch is base64-wrapped, so HTML-safe escaping buys nothing; policy annotations are long base64 strings full of '+'.
    private static readonly JsonWriterOptions PatchJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the answer to <paramref name="output"/>; the patch is serialized through a pooled buffer, not a fresh array.</summary>
    public static void Write(IBufferWriter<byte> output, string uid, AdmissionResult result)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", AdmissionReviewParser.ApiVersion);
            json.WriteString("kind", AdmissionReviewParser.ReviewKind);
            json.WriteStartObject("response");
            json.WriteString("uid", uid);
            json.WriteBoolean("allowed", result.Allowed);
            if (result.Patch is { Count: > 0 } patch)
            {
                json.WriteString("patchType", "JSONPatch");
                using var patchBytes = new PooledBufferWriter(128 * 1024);
                using (var patchJson = new Utf8JsonWriter(patchBytes, PatchJson))
                {
                    patch.WriteTo(patchJson);
                }

                json.WriteBase64String("patch", patchBytes.WrittenSpan);
            }

            if (result.Message is not null || result.Code is not null)
            {
                json.WriteStartObject("status");
                if (result.Code is { } code)
                {
                    json.WriteNumber("code", code);
                }

                if (result.Message is { } message)
                {
                    json.WriteString("message", message);
                }

                json.WriteEndObject();
            }

            if (result.Warnings.Count > 0)
            {
                json.WriteStartArray("warnings");
                foreach (var warning in result.Warnings)
                {
                    json.WriteStringValue(warning);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }
    }
}
