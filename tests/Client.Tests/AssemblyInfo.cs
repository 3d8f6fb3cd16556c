// The process tests start real silos, Redis, Prometheus and pcn processes that each want the machine's cores (a CI
// machine has two). Run one test at a time, so that none of them waits on another's processes and their deadlines
// measure the system rather than the company it keeps.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
