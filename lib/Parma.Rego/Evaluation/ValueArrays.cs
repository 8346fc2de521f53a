using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Parma.Rego.Evaluation;

/// <summary>
/// Stores into the evaluator's own value arrays (frames, argument arrays) without the runtime's array
/// covariance check: Value is not sealed, so every ordinary store of a StringValue, NumberValue … into a
/// Value[] goes through a type-check helper. Only for arrays allocated as Value[] / Value?[] themselves,
/// never for arrays that might be a subtype's array seen through a Value[] reference.
/// </summary>
internal static class ValueArrays
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Value?[] array, int index, Value? value)
    {
        if ((uint)index >= (uint)array.Length)
        {
            ThrowIndex();
        }

        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index) = value;
    }

    private static void ThrowIndex() => throw new IndexOutOfRangeException();
}
