// The Operator host is built under issue #7; until then it refuses to run rather than pretend.
Console.Error.WriteLine("Parma.Operator: not built yet (issue #7).");
return 2;
