public enum DetectorPlaceholder {}
