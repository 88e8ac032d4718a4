"""The family's chronology for staff: every significant event, and entries added by hand."""
