package ivrtest

// LookupFlow collects an account number, looks it up and speaks the
// account, with a node for each way the look-up can end. ivr checks how it
// parses, ivr/interp how it runs.
const LookupFlow = `
flows:
  main:
    start: account
    nodes:
      account:
        type: collect
        prompts: [enter_account]
        var: account
        max: 4
        next: lookup
      lookup:
        type: lookup
        service: accounts
        prompts: [please_wait]
        fallback: [lookup_unavailable]
        timeout: 3s
        next: say
        not_found: unknown
        on_fail: desk
      say: {type: say_account, next: bye}
      unknown: {type: play, prompts: [account_unknown], next: account}
      desk: {type: queue, queue: billing}
      bye: {type: hangup, prompts: [goodbye], self_service: true}
`

// FaultFlow records a fault message, then files it as a work order. ivr
// checks how it parses, ivr/interp how it runs.
const FaultFlow = `
flows:
  main:
    start: message
    nodes:
      message:
        type: record
        prompts: [fault_record]
        max_duration: 30s
        end_silence: 2s
        next: file
        on_fail: desk
      file:
        type: fault_report
        prompts: [fault_work_order_is]
        fallback: [fault_not_filed]
        timeout: 5s
        next: bye
        on_fail: desk
      desk: {type: queue, queue: repair}
      bye: {type: hangup, prompts: [goodbye], self_service: true}
`
