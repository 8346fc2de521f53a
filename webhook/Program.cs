// The Webhook host is built under issue #8; until then it refuses to run rather than pretend.
Console.Error.WriteLine("Parma.Webhook: not built yet (issue #8).");
return 2;
