DROP TABLE annual_report_texts;
