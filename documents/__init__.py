"""Formal periodic reports (báo cáo định kỳ): the dashboards' numbers written as a signed-ready
.docx and PDF in the format of Decree 30/2020/NĐ-CP, Appendix I."""
